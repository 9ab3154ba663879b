// Worksheets: quick-pick buttons after each 0-100 rating. The number input works on its own
// (no JavaScript needed); the buttons only save typing. No user data leaves the page.
(function () {
  "use strict";

  function addQuickPicks(input) {
    var values = (input.getAttribute("data-quick-picks") || "").split(/\s+/).filter(Boolean);
    if (!values.length || !input.id) return;
    var group = document.createElement("div");
    group.className = "quick-picks";
    group.setAttribute("role", "group");
    var label = document.querySelector('label[for="' + input.id + '"]');
    group.setAttribute(
      "aria-label",
      "Quick picks" + (label ? " for " + label.textContent.trim() : "")
    );

    function sync() {
      group.querySelectorAll("button").forEach(function (button) {
        button.setAttribute("aria-pressed", button.textContent === input.value ? "true" : "false");
      });
    }

    values.forEach(function (value) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "quick-pick";
      button.textContent = value;
      button.addEventListener("click", function () {
        input.value = value;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        sync();
      });
      group.appendChild(button);
    });
    input.addEventListener("input", sync);
    input.insertAdjacentElement("afterend", group);
    sync();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-quick-picks]").forEach(addQuickPicks);
  });
})();
