// Questionnaires: crisis help at a risk item (e.g. PHQ-9 item 9) the moment an answer above its
// threshold is chosen, before anything is sent. Without JavaScript the next screen shows the same
// card (measures/views_client.py); this only makes it immediate. Once shown it stays: taking the
// answer back does not take the help away.
(function () {
  "use strict";

  function init() {
    var fieldset = document.querySelector("fieldset[data-crisis-above]");
    var help = document.getElementById("crisis-help");
    var status = document.getElementById("crisis-status");
    if (!fieldset || !help) return;
    var above = Number(fieldset.getAttribute("data-crisis-above"));
    fieldset.addEventListener("change", function (event) {
      var input = event.target;
      if (!input || input.type !== "radio" || !input.checked) return;
      if (Number(input.value) > above && help.hidden) {
        help.hidden = false;
        if (status) status.textContent = "Help is available: crisis lines are shown below.";
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
