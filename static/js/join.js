// On the join page, show only the suggested amounts of the chosen frequency. Without this script
// every group shows, each labelled, and the server checks the amount against the frequency.
(function () {
  "use strict";
  var form = document.querySelector(".join-form");
  if (!form) return;
  function update() {
    var chosen = form.querySelector("input[name=frequency]:checked");
    var frequency = chosen ? chosen.value : "month";
    form.querySelectorAll(".amounts").forEach(function (group) {
      var shown = group.dataset.frequency === frequency;
      group.hidden = !shown;
      if (!shown) {
        group.querySelectorAll("input[type=radio]").forEach(function (radio) {
          radio.checked = false;
        });
      }
    });
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "frequency") update();
  });
  update();
})();
