// Breathing pacer: a circle that grows on the in-breath, holds, and shrinks on the out-breath,
// with the phase in words. Saves the session through the JSON API when it ends.
// No user data leaves this page except the session itself; settings stay in localStorage.
(function () {
  "use strict";

  const PENDING_KEY = "interlude.relaxation.pending";
  const MIN_SAVE_SECONDS = 10;
  const SMALL = 0.45; // circle scale at the bottom of an out-breath

  // --- small helpers ------------------------------------------------------------------------
  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); });
    return hex.slice(0, 4).join("") + "-" + hex.slice(4, 6).join("") + "-" +
      hex.slice(6, 8).join("") + "-" + hex.slice(8, 10).join("") + "-" + hex.slice(10).join("");
  }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  // "45 seconds", "1 minute", "3 minutes", "2 minutes 30 seconds" (as the server says it).
  function duration(seconds) {
    const minutes = Math.floor(seconds / 60);
    const rest = seconds % 60;
    if (minutes === 0) return plural(rest, "second");
    if (rest === 0) return plural(minutes, "minute");
    return plural(minutes, "minute") + " " + plural(rest, "second");
  }

  function clock(ms) {
    const total = Math.max(0, Math.ceil(ms / 1000));
    const m = Math.floor(total / 60);
    const s = total % 60;
    return m + ":" + String(s).padStart(2, "0");
  }

  function readJSON(key) {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function writeJSON(key, value) {
    try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }

  function checkedValue(root, name) {
    const input = root.querySelector('input[name="' + name + '"]:checked');
    if (!input || input.value === "") return null;
    return parseInt(input.value, 10);
  }

  // --- saving, with a small queue so a session is not lost without a connection ------------
  function csrfToken(root) {
    const input = root.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(url, token, payload, keepalive) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(payload),
    });
  }

  // Queued sessions carry their owner, so a shared device never sends one person's session
  // under someone else's sign-in.
  function queue(payload, owner) {
    const pending = readJSON(PENDING_KEY) || [];
    payload = Object.assign({ owner: owner }, payload);
    if (!pending.some(function (p) { return p.idempotency_key === payload.idempotency_key; })) {
      pending.push(payload);
      writeJSON(PENDING_KEY, pending);
    }
  }

  function unqueue(key) {
    const pending = (readJSON(PENDING_KEY) || []).filter(function (p) {
      return p.idempotency_key !== key;
    });
    if (pending.length) writeJSON(PENDING_KEY, pending);
    else { try { window.localStorage.removeItem(PENDING_KEY); } catch (e) { /* ignore */ } }
  }

  // Send sessions that could not be saved earlier. The idempotency key makes a resend harmless.
  function flushQueue(url, token, owner) {
    (readJSON(PENDING_KEY) || []).forEach(function (item) {
      if (item.owner !== owner) return;
      const payload = Object.assign({}, item);
      delete payload.owner;
      post(url, token, payload).then(function (response) {
        // Keep it only when trying again later could work (signed out, server trouble).
        // (429: too many saves at once; the limit lifts within a minute.)
        const retry = response.status === 401 || response.status === 403 ||
          response.status === 429 || response.status >= 500;
        if (!retry) unqueue(payload.idempotency_key);
      }).catch(function () { /* still offline: keep it */ });
    });
  }

  // --- the pacer ----------------------------------------------------------------------------
  function initPacer(root) {
    const kind = root.dataset.kind;
    const apiUrl = root.dataset.apiUrl;
    const owner = root.dataset.owner;
    const token = csrfToken(root);
    const min = parseInt(root.dataset.phaseMin, 10);
    const max = parseInt(root.dataset.phaseMax, 10);
    const testSeconds = root.dataset.testSeconds ? parseInt(root.dataset.testSeconds, 10) : null;
    const storageKey = "interlude.breathing." + kind;
    const defaults = {
      "in": parseInt(root.dataset.in, 10),
      "hold-in": parseInt(root.dataset.holdIn, 10),
      "out": parseInt(root.dataset.out, 10),
      "hold-out": parseInt(root.dataset.holdOut, 10),
    };
    const PHASES = [
      { code: "in", label: "Breathe in", scale: 1, hold: false },
      { code: "hold-in", label: "Hold", scale: 1, hold: true },
      { code: "out", label: "Breathe out", scale: SMALL, hold: false },
      { code: "hold-out", label: "Hold", scale: SMALL, hold: true },
    ];

    const stage = root.querySelector(".pacer-stage");
    const circle = root.querySelector(".pacer-circle");
    const phaseText = root.querySelector("[data-phase-text]");
    const timeLeft = root.querySelector("[data-time-left]");
    const announce = root.querySelector("[data-announce]");
    const message = root.querySelector("[data-message]");
    const setups = root.querySelectorAll("[data-pacer-setup]");
    const controlsBox = root.querySelector("[data-pacer-controls]");
    const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
    const done = root.querySelector("[data-pacer-done]");
    const buttons = {
      start: root.querySelector('[data-action="start"]'),
      pause: root.querySelector('[data-action="pause"]'),
      stop: root.querySelector('[data-action="stop"]'),
      rate: root.querySelector('[data-action="rate"]'),
      again: root.querySelector('[data-action="again"]'),
      reset: root.querySelector('[data-action="reset"]'),
    };
    const skipHolds = root.querySelector("#pacer-skip-holds");
    const speak = root.querySelector("#pacer-speak");
    const speechOption = root.querySelector("[data-speech-option]");
    const canSpeak = "speechSynthesis" in window && "SpeechSynthesisUtterance" in window;

    // Settings: per kind, remembered on this device only.
    const settings = Object.assign({}, defaults, { skipHolds: false, speak: false, length: null });
    const saved = readJSON(storageKey);
    if (saved && typeof saved === "object") {
      Object.keys(defaults).forEach(function (code) {
        const v = parseInt(saved[code], 10);
        if (defaults[code] > 0 && v >= min && v <= max) settings[code] = v;
      });
      settings.skipHolds = !!saved.skipHolds;
      settings.speak = !!saved.speak;
      settings.length = saved.length || null;
    }

    function persist() {
      writeJSON(storageKey, settings);
    }

    function steppers() { return root.querySelectorAll("[data-stepper]"); }

    function showSettings() {
      steppers().forEach(function (box) {
        box.querySelector("input").value = settings[box.dataset.stepper];
      });
      if (skipHolds) skipHolds.checked = settings.skipHolds;
      if (speak) speak.checked = settings.speak && canSpeak;
      if (settings.length && !testSeconds) {
        const radio = root.querySelector('input[name="pacer-length"][value="' + settings.length + '"]');
        if (radio) radio.checked = true;
      }
    }

    function clamp(value, fallback) {
      const v = parseInt(value, 10);
      if (isNaN(v)) return fallback;
      return Math.min(max, Math.max(min, v));
    }

    steppers().forEach(function (box) {
      const code = box.dataset.stepper;
      const input = box.querySelector("input");
      input.addEventListener("change", function () {
        settings[code] = clamp(input.value, settings[code]);
        input.value = settings[code];
        persist();
        showIdle();
      });
      box.querySelectorAll("[data-step]").forEach(function (button) {
        button.addEventListener("click", function () {
          settings[code] = clamp(settings[code] + parseInt(button.dataset.step, 10), settings[code]);
          input.value = settings[code];
          persist();
          showIdle();
        });
      });
    });
    if (skipHolds) {
      skipHolds.addEventListener("change", function () {
        settings.skipHolds = skipHolds.checked;
        persist();
      });
    }
    if (speak && canSpeak) {
      speechOption.hidden = false;
      speak.addEventListener("change", function () {
        settings.speak = speak.checked;
        persist();
        if (!speak.checked) window.speechSynthesis.cancel();
      });
    }
    root.querySelectorAll('input[name="pacer-length"]').forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (radio.value.charAt(0) !== "s") { settings.length = radio.value; persist(); }
        showIdle();
      });
    });
    buttons.reset.addEventListener("click", function () {
      Object.keys(defaults).forEach(function (code) { settings[code] = defaults[code]; });
      settings.skipHolds = false;
      persist();
      showSettings();
      showIdle();
      message.textContent = "Timings are back to the usual.";
    });

    // --- one session ------------------------------------------------------------------------
    let state = "idle"; // idle | running | paused | done
    let phases = [];
    let cycleMs = 0;
    let totalMs = 0;
    let elapsedMs = 0;
    let lastTick = 0;
    let timer = null;
    let phaseKey = "";
    let startedAt = null;
    let key = null;
    let savedId = null;
    let beforeRating = null;
    let wakeLock = null;

    function sessionMs() {
      if (testSeconds) {
        const checked = root.querySelector('input[name="pacer-length"]:checked');
        if (checked && checked.value.charAt(0) === "s") return testSeconds * 1000;
      }
      const minutes = parseInt((root.querySelector('input[name="pacer-length"]:checked') || {}).value, 10);
      return (isNaN(minutes) ? parseInt(root.dataset.minutes, 10) : minutes) * 60000;
    }

    function activePhases() {
      return PHASES.filter(function (p) {
        return settings[p.code] > 0 && defaults[p.code] > 0 && !(p.hold && settings.skipHolds);
      }).map(function (p) { return Object.assign({ ms: settings[p.code] * 1000 }, p); });
    }

    function setCircle(scale, seconds) {
      circle.style.setProperty("--pacer-duration", seconds + "s");
      circle.style.setProperty("--pacer-scale", String(scale));
    }

    function currentScale() {
      const t = window.getComputedStyle(circle).transform;
      const m = /matrix\(([^,]+)/.exec(t || "");
      return m ? parseFloat(m[1]) : SMALL;
    }

    // Stop any running transition where it is, then move to `scale` over `seconds`. (Changing only
    // the duration would let a running transition to the same end value carry on.)
    function settle(scale, seconds) {
      setCircle(currentScale(), 0);
      void circle.offsetWidth; // apply the frozen value before the next change
      setCircle(scale, seconds);
    }

    function say(text) {
      announce.textContent = text;
      if (settings.speak && canSpeak) {
        window.speechSynthesis.cancel();
        const utterance = new window.SpeechSynthesisUtterance(text);
        utterance.rate = 0.9;
        window.speechSynthesis.speak(utterance);
      }
    }

    function where() {
      const inCycle = elapsedMs % cycleMs;
      let start = 0;
      for (let i = 0; i < phases.length; i += 1) {
        if (inCycle < start + phases[i].ms) {
          return { index: i, phase: phases[i], leftMs: start + phases[i].ms - inCycle,
            cycle: Math.floor(elapsedMs / cycleMs) };
        }
        start += phases[i].ms;
      }
      return { index: 0, phase: phases[0], leftMs: phases[0].ms, cycle: 0 };
    }

    function render() {
      const at = where();
      const k = at.cycle + ":" + at.index;
      if (k !== phaseKey) {
        phaseKey = k;
        stage.dataset.phase = at.phase.code;
        setCircle(at.phase.scale, at.phase.hold ? 0 : at.leftMs / 1000);
        say(at.phase.label);
      }
      phaseText.textContent = at.phase.label + "… " + Math.ceil(at.leftMs / 1000);
      timeLeft.textContent = clock(totalMs - elapsedMs) + " left";
    }

    function tick() {
      const now = performance.now();
      elapsedMs += now - lastTick;
      lastTick = now;
      if (elapsedMs >= totalMs) {
        elapsedMs = totalMs;
        finish(Math.round(totalMs / 1000));
        return;
      }
      render();
    }

    function lockScreen() {
      if (!("wakeLock" in navigator)) return;
      navigator.wakeLock.request("screen").then(function (lock) { wakeLock = lock; })
        .catch(function () { /* not allowed here: fine */ });
    }

    function unlockScreen() {
      if (wakeLock) { wakeLock.release().catch(function () {}); wakeLock = null; }
    }

    function controls() {
      buttons.start.hidden = state !== "idle";
      buttons.pause.hidden = !(state === "running" || state === "paused");
      buttons.pause.textContent = state === "paused" ? "Resume" : "Pause";
      buttons.stop.hidden = !(state === "running" || state === "paused");
      setups.forEach(function (box) { box.hidden = state !== "idle"; });
      controlsBox.hidden = state === "done";
      done.hidden = state !== "done";
    }

    // Bring what matters now into view: the circle and its buttons, or the result.
    function reveal(element) {
      element.scrollIntoView({ block: "start", behavior: reducedMotion.matches ? "auto" : "smooth" });
    }

    function showIdle() {
      if (state !== "idle") return;
      stage.dataset.phase = "ready";
      settle(SMALL, 1);
      phaseText.textContent = "Ready when you are";
      timeLeft.textContent = clock(sessionMs()) + " in all";
    }

    function start() {
      phases = activePhases();
      cycleMs = phases.reduce(function (sum, p) { return sum + p.ms; }, 0);
      totalMs = sessionMs();
      elapsedMs = 0;
      phaseKey = "";
      startedAt = new Date();
      key = uuid();
      savedId = null;
      beforeRating = checkedValue(root, "pacer-distress_before");
      message.textContent = "";
      state = "running";
      controls();
      lastTick = performance.now();
      render();
      timer = window.setInterval(tick, 200);
      lockScreen();
      reveal(stage);
    }

    function pause() {
      if (state === "running") {
        tick();
        if (state !== "running") return;
        window.clearInterval(timer);
        state = "paused";
        setCircle(currentScale(), 0);
        if (canSpeak) window.speechSynthesis.cancel();
        phaseText.textContent = "Paused";
        say("Paused");
        unlockScreen();
      } else if (state === "paused") {
        state = "running";
        phaseKey = "";
        lastTick = performance.now();
        render();
        timer = window.setInterval(tick, 200);
        lockScreen();
      }
      controls();
    }

    function payload(seconds) {
      return {
        kind: kind,
        started_at: startedAt.toISOString(),
        seconds_practised: seconds,
        distress_before: beforeRating,
        idempotency_key: key,
      };
    }

    function save(seconds) {
      const body = payload(seconds);
      message.textContent = "Saving…";
      post(apiUrl, token, body).then(function (response) {
        if (response.status === 200 || response.status === 201) {
          return response.json().then(function (data) {
            savedId = data.id;
            unqueue(body.idempotency_key);
            message.textContent = "Saved: " + duration(data.seconds_practised) + " of practice.";
          });
        }
        if (response.status === 422) {
          message.textContent = "This session could not be saved. Please log it with the form below.";
          return null;
        }
        queue(body, owner);
        message.textContent = response.status === 429
          ? "Not saved yet: too many saves in a short time. We will try again next time you open " +
            "this page."
          : "Not saved yet: please sign in again. We will try again next time you open this page.";
        return null;
      }).catch(function () {
        queue(body, owner);
        message.textContent = "Not saved yet: you seem to be offline. We will save it when you " +
          "are back online.";
      });
    }

    function finish(seconds) {
      window.clearInterval(timer);
      unlockScreen();
      state = "done";
      stage.dataset.phase = "done";
      settle(SMALL, 1);
      phaseText.textContent = "Well done";
      timeLeft.textContent = "";
      say("Finished");
      controls();
      reveal(stage);
      save(seconds);
    }

    function stop() {
      if (state === "running") tick();
      if (state !== "running" && state !== "paused") return;
      window.clearInterval(timer);
      const seconds = Math.floor(elapsedMs / 1000);
      if (seconds >= MIN_SAVE_SECONDS) {
        finish(seconds);
        return;
      }
      unlockScreen();
      if (canSpeak) window.speechSynthesis.cancel();
      state = "idle";
      controls();
      showIdle();
      message.textContent = "Stopped. Sessions shorter than " + MIN_SAVE_SECONDS +
        " seconds are not saved.";
    }

    function rate() {
      if (!savedId) {
        message.textContent = "Your session is not saved yet, so the rating cannot be added. " +
          "You can log it with the form below.";
        return;
      }
      const rating = checkedValue(root, "pacer-distress_after");
      fetch(apiUrl + "/" + savedId, {
        method: "PATCH",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: JSON.stringify({ distress_after: rating }),
      }).then(function (response) {
        message.textContent = response.ok
          ? (rating === null ? "Rating cleared." : "Thank you. Saved how you feel: " + rating + " out of 10.")
          : "That rating could not be saved. Please try again.";
      }).catch(function () {
        message.textContent = "That rating could not be saved: you seem to be offline.";
      });
    }

    buttons.start.addEventListener("click", start);
    buttons.pause.addEventListener("click", pause);
    buttons.stop.addEventListener("click", stop);
    buttons.rate.addEventListener("click", rate);
    buttons.again.addEventListener("click", function () {
      state = "idle";
      controls();
      showIdle();
      message.textContent = "";
      root.querySelectorAll('input[name="pacer-distress_after"]').forEach(function (r) {
        r.checked = false;
      });
    });

    // Leaving mid-session still keeps what was practised (at least 10 seconds).
    window.addEventListener("pagehide", function () {
      if (state !== "running" && state !== "paused") return;
      if (state === "running") {
        elapsedMs += performance.now() - lastTick;
        lastTick = performance.now();
      }
      const seconds = Math.floor(Math.min(elapsedMs, totalMs) / 1000);
      if (seconds < MIN_SAVE_SECONDS) return;
      const body = payload(seconds);
      queue(body, owner);
      post(apiUrl, token, body, true).catch(function () { /* queued for next time */ });
    });
    window.addEventListener("online", function () { flushQueue(apiUrl, token, owner); });

    showSettings();
    root.hidden = false;
    controls();
    showIdle();
    flushQueue(apiUrl, token, owner);
  }

  function init() {
    const root = document.getElementById("pacer");
    if (root && window.fetch) initPacer(root);
    // The plain log form stays open without JavaScript; with the pacer it folds away,
    // unless it has an error to show.
    document.querySelectorAll("details[data-close-with-js]").forEach(function (details) {
      if (!details.querySelector(".error-summary")) details.open = false;
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
