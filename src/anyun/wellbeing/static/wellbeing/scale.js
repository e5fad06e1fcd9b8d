// The questionnaire's progress: how many questions are answered (no inline script: CSP).
(function () {
  "use strict";
  function update(form) {
    var items = form.querySelectorAll(".scale-item");
    var done = 0;
    items.forEach(function (item) { if (item.querySelector("input:checked")) { done += 1; } });
    var bar = document.getElementById("scale-progress");
    var text = document.getElementById("scale-progress-text");
    if (bar) { bar.value = done; }
    if (text) { text.textContent = done + " / " + items.length; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("scale-form");
    if (!form) { return; }
    form.addEventListener("change", function () { update(form); });
    update(form);
  });
})();
