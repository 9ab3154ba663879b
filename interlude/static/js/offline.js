// Offline check-ins: kept on this device until the server has stored them, then sent exactly
// once (each carries its idempotency key, so a retry after a lost answer stores nothing new).
(function () {
  "use strict";
  var KEY = "interlude.pendingCheckins.v1";

  var FAILED = "interlude.failedCheckins.v1";
  // Whose device session this is: items are only ever sent for the person who made them, so on
  // a shared phone nobody else's sign-in sends them.
  function owner() { return document.body.dataset.client || ""; }

  function loadAll(key) {
    try { return JSON.parse(localStorage.getItem(key || KEY) || "[]"); } catch (e) { return []; }
  }
  function load() {
    return loadAll().filter(function (i) { return i.owner === owner(); });
  }
  function save(mine) {
    var others = loadAll().filter(function (i) { return i.owner !== owner(); });
    localStorage.setItem(KEY, JSON.stringify(others.concat(mine)));
  }
  // A refused check-in is shown to the person, never dropped in silence. One refused because its
  // key already holds a different check-in (409) still carries what they wrote, so they can send
  // it as a new check-in or let it go; one that can never be stored (422) is explained once.
  function recordFailure(item, message, keep) {
    var failed = loadAll(FAILED);
    failed.push({
      owner: item.owner, recorded_at: item.recorded_at, message: message,
      item: keep ? item : null, id: item.idempotency_key,
    });
    localStorage.setItem(FAILED, JSON.stringify(failed));
  }
  function dropFailure(id) {
    localStorage.setItem(FAILED, JSON.stringify(
      loadAll(FAILED).filter(function (i) { return i.owner !== owner() || i.id !== id; })));
  }
  function button(label, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button button-secondary";
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }
  function showFailures() {
    var mine = loadAll(FAILED).filter(function (i) { return i.owner === owner(); });
    document.querySelectorAll("[data-failed-checkins]").forEach(function (el) {
      el.hidden = mine.length === 0;
      el.textContent = "";
      if (!mine.length) return;
      var first = mine[0];
      var text = document.createElement("p");
      el.appendChild(text);
      if (!first.item) {
        text.textContent = "A check-in you made offline could not be saved (" + first.message +
          "). Please check in again.";
        return;
      }
      var when = new Date(first.recorded_at);
      text.textContent = "A check-in you made offline" +
        (isNaN(when) ? "" : " (" + when.toLocaleString() + ")") + " was not saved: " +
        first.message + ". It is still on this phone.";
      el.appendChild(button("Send it as a new check-in", function () {
        var again = Object.assign({}, first.item, {
          idempotency_key: window.crypto && crypto.randomUUID ? crypto.randomUUID()
            : String(Date.now()) + Math.random().toString(16).slice(2),
        });
        save(load().concat([again]));
        dropFailure(first.id);
        showFailures();
        showPending();
        sync();
      }));
      el.appendChild(button("Discard it", function () {
        dropFailure(first.id);
        showFailures();
      }));
    });
    // Explanations are shown once, then forgotten; check-ins kept for the person stay until
    // they choose.
    localStorage.setItem(FAILED, JSON.stringify(loadAll(FAILED).filter(function (i) {
      return i.owner !== owner() || i.item;
    })));
  }
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }
  function showPending() {
    var count = load().length;
    document.querySelectorAll("[data-pending-checkins]").forEach(function (el) {
      el.hidden = count === 0;
      el.textContent = count === 1
        ? "1 check-in is saved on this phone and will be sent when you are online."
        : count + " check-ins are saved on this phone and will be sent when you are online.";
    });
  }

  var syncing = false;
  var retryDelay = 2000;
  var retryTimer = null;
  function sync() {
    if (syncing || !navigator.onLine) return Promise.resolve();
    var items = load();
    if (!items.length) return Promise.resolve();
    syncing = true;
    var url = "/api/v1/checkins";
    return items.reduce(function (chain, item) {
      return chain.then(function () {
        var payload = Object.assign({}, item);
        delete payload.owner;
        // A request that hangs on a half-working connection is given up after 8 seconds and
        // tried again later, so one stuck attempt never blocks the queue.
        var controller = window.AbortController ? new AbortController() : null;
        var timer = controller ? setTimeout(function () { controller.abort(); }, 8000) : null;
        return fetch(url, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify(payload),
          signal: controller ? controller.signal : undefined,
        }).finally(function () { clearTimeout(timer); }).then(function (response) {
          // Stored (201), or stored before (200), or refused for good (422: invalid; 409: its key
          // was already used for a different check-in): either way it is done, and a refusal is
          // shown to the person. Anything else (signed out, server trouble) stays queued.
          var refused = response.status === 422 || response.status === 409;
          if (response.status === 429) {
            // Rate-limited: it stays queued; wait at least as long as the server asks.
            var wait = parseInt(response.headers.get("Retry-After"), 10);
            if (wait > 0) retryDelay = Math.max(retryDelay, wait * 1000);
          }
          if (response.status === 200 || response.status === 201 || refused) {
            save(load().filter(function (i) { return i.idempotency_key !== item.idempotency_key; }));
          }
          if (response.status === 409) {
            // The server's words name the API field; the person gets plain ones.
            recordFailure(item, "a different check-in was already saved from the same form", true);
            return;
          }
          if (refused) {
            return response.json().then(function (body) {
              var detail = (body.detail && body.detail[0] && body.detail[0].msg) || "it was refused";
              recordFailure(item, detail);
            }, function () { recordFailure(item, "it was refused"); });
          }
        }).catch(function () { /* still offline: keep it */ });
      });
    }, Promise.resolve()).then(function () {
      syncing = false;
      showPending();
      showFailures();
      // The connection often comes back in stages: try again, waiting longer each time.
      clearTimeout(retryTimer);
      if (load().length && navigator.onLine) {
        retryTimer = setTimeout(sync, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 60000);
      } else {
        retryDelay = 2000;
      }
      document.dispatchEvent(new CustomEvent("interlude:synced"));
    });
  }

  function formToCheckin(form) {
    var data = new FormData(form);
    function num(name) { var v = data.get(name); return v === null || v === "" ? null : Number(v); }
    var activities = data.getAll("activities");
    var extra = (data.get("new_activity") || "").trim();
    if (extra) activities.push(extra);
    return {
      owner: owner(),
      mood: num("mood"),
      anxiety: num("anxiety"),
      energy: num("energy"),
      sleep_hours: data.get("sleep_hours") || null,
      sleep_quality: num("sleep_quality"),
      emotions: data.getAll("emotions").map(function (code) { return { label: code }; }),
      activities: activities,
      note: (data.get("note") || "").trim() || null,
      note_shared: data.get("note_shared") === "on",
      recorded_at: new Date().toISOString(),
      idempotency_key: data.get("idempotency_key"),
    };
  }

  function initForm() {
    var form = document.querySelector("[data-checkin-form]");
    if (!form) return;
    var note = form.querySelector("[data-offline-note]");
    function reflect() { note.hidden = navigator.onLine; }
    window.addEventListener("online", reflect);
    window.addEventListener("offline", reflect);
    reflect();
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) return; // the normal form post stores it and says so
      event.preventDefault();
      var item = formToCheckin(form);
      if (item.mood === null) { form.submit(); return; } // let the server explain what is missing
      var items = load().filter(function (i) { return i.idempotency_key !== item.idempotency_key; });
      items.push(item);
      save(items);
      window.location.href = form.dataset.afterOffline || "/today/";
    });
  }

  function registerWorker() {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    }
  }

  // A cached copy of the form carries an old key; each page view gets its own, so two offline
  // check-ins are two records and a double tap is still one.
  function freshKey() {
    var field = document.querySelector("[data-checkin-form] input[name=idempotency_key]");
    if (field && window.crypto && crypto.randomUUID) {
      field.value = crypto.randomUUID();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    registerWorker();
    freshKey();
    initForm();
    showPending();
    showFailures();
    sync();
    window.addEventListener("online", sync);
  });
  window.InterludeOffline = { sync: sync, pending: load };
})();
