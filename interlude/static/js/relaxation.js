// Step-by-step exercises (muscle relaxation, grounding): one step per screen with Back and Next,
// "Step 3 of 12" progress, and the minutes practised filled in at the end. Without this script
// the page is one long form that still works.
(function () {
  "use strict";

  function initSteps(form) {
    const steps = Array.prototype.slice.call(form.querySelectorAll(".relax-step"));
    const nav = form.querySelector("[data-relax-step-nav]");
    const prev = nav.querySelector("[data-prev]");
    const next = nav.querySelector("[data-next]");
    const minutes = document.getElementById(form.dataset.minutesField);
    let minutesTouched = minutes && minutes.value !== "";
    let current = 0;
    let startedAt = null;

    if (minutes) {
      minutes.addEventListener("input", function () { minutesTouched = true; });
    }

    function show(index, moveFocus) {
      current = Math.max(0, Math.min(steps.length - 1, index));
      steps.forEach(function (step, i) { step.hidden = i !== current; });
      const last = current === steps.length - 1;
      prev.hidden = current === 0;
      next.hidden = last;
      next.textContent = current === 0 ? "Start" : (current === steps.length - 2 ? "Finish" : "Next");
      if (current > 0 && startedAt === null) startedAt = Date.now();
      if (last && minutes && !minutesTouched && startedAt !== null) {
        minutes.value = String(Math.max(1, Math.round((Date.now() - startedAt) / 60000)));
      }
      if (moveFocus) {
        const heading = steps[current].querySelector("h2");
        if (heading) heading.focus();
        window.scrollTo(0, 0);
      }
    }

    prev.addEventListener("click", function () { show(current - 1, true); });
    next.addEventListener("click", function () { show(current + 1, true); });
    nav.hidden = false;
    show(0, false);

    // Private notes are never sent; clear them when leaving so they do not linger in the page.
    window.addEventListener("pagehide", function () {
      form.querySelectorAll("[data-private-note]").forEach(function (note) { note.value = ""; });
    });
  }

  function init() {
    const form = document.querySelector("form[data-steps]");
    // After a failed save, show the whole form so every problem is in view.
    if (form && !document.querySelector(".error-summary")) initSteps(form);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
