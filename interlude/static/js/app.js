// Interlude's small own script: the idle-session warning (SR-07). No user data touches the DOM here.
(function () {
  "use strict";
  function initSessionWarning() {
    var dialog = document.getElementById("session-warning");
    if (!dialog || typeof dialog.showModal !== "function") return;
    var expiresIn = parseInt(dialog.dataset.expiresIn, 10) * 1000;
    var warnBefore = parseInt(dialog.dataset.warnBefore, 10) * 1000;
    var countdown = dialog.querySelector("[data-countdown]");
    var warnTimer, endTimer, tick;

    function schedule() {
      clearTimeout(warnTimer); clearTimeout(endTimer); clearInterval(tick);
      var deadline = Date.now() + expiresIn;
      warnTimer = setTimeout(function () {
        dialog.showModal();
        tick = setInterval(function () {
          var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
          countdown.textContent = left > 60 ? Math.ceil(left / 60) + " minutes" : left + " seconds";
        }, 1000);
      }, Math.max(0, expiresIn - warnBefore));
      // At the deadline, reload: the server has ended the session and shows the sign-in page.
      endTimer = setTimeout(function () { window.location.reload(); }, expiresIn + 1000);
    }

    dialog.querySelector("[data-keepalive]").addEventListener("click", function () {
      var token = document.querySelector("input[name=csrfmiddlewaretoken]");
      fetch(dialog.dataset.keepaliveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" },
      }).then(function (response) {
        if (response.ok) { dialog.close(); schedule(); } else { window.location.reload(); }
      });
    });
    // Any htmx request also counts as activity on the server.
    document.body.addEventListener("htmx:afterRequest", schedule);
    schedule();
  }

  // Move focus to an error summary so screen-reader and keyboard users hear the problem first.
  function focusErrorSummary() {
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
  }

  // Filter table rows by the text of their row header, in the browser (no names in URLs).
  function initTableFilters() {
    document.querySelectorAll("[data-table-filter]").forEach(function (box) {
      var input = box.querySelector("input");
      var status = box.querySelector("[data-filter-status]");
      function apply() {
        var needle = input.value.trim().toLowerCase();
        var rows = document.querySelectorAll(box.dataset.tableFilter);
        var shown = 0;
        rows.forEach(function (row) {
          var header = row.querySelector("th");
          var match = !needle || (header && header.textContent.toLowerCase().indexOf(needle) !== -1);
          row.hidden = !match;
          if (match) shown += 1;
        });
        status.textContent = needle ? shown + " of " + rows.length + " shown" : "";
      }
      box.hidden = false;
      input.addEventListener("input", apply);
      document.body.addEventListener("htmx:afterSwap", apply);
    });
  }

  // On the sign-in page, forget any pages saved for offline use on this device.
  function forgetOfflinePages() {
    if (window.location.pathname === "/accounts/login/" && navigator.serviceWorker &&
        navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage("forget-pages");
    }
  }

  // A table box that scrolls sideways must be reachable by keyboard (WCAG 2.1.1): make it a
  // focusable, named region only when it actually scrolls.
  function focusableScrollBoxes() {
    document.querySelectorAll(".table-wrap").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight) {
        var caption = box.querySelector("caption");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    forgetOfflinePages();
    focusableScrollBoxes();
    initSessionWarning();
    initTableFilters();
    focusErrorSummary();
  });
})();
