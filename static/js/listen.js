// Playback speed for the narrated article: the select appears only when this script runs.
(function () {
  "use strict";
  var box = document.querySelector(".listen");
  if (!box) return;
  var audio = box.querySelector("audio");
  var speed = box.querySelector(".listen__speed");
  var select = speed && speed.querySelector("select");
  if (!audio || !select) return;
  speed.hidden = false;
  select.addEventListener("change", function () {
    audio.playbackRate = Number(select.value) || 1;
  });
  audio.addEventListener("play", function () {
    audio.playbackRate = Number(select.value) || 1;
  });
})();
