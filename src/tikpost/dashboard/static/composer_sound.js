/* The sound picker of a business account's composer (templates/composer_sound_picker.html):
   which clip is chosen and at what volumes. htmx replaces the list as the search changes, so
   the choice is kept here, not in the radios, and re-ticked when its clip is listed again.
   composer.js reads it through window.tikpostSound() as it builds the post. */
(function () {
  "use strict";

  var picker = document.getElementById("sound-picker");
  if (!picker) return;

  var chosen = null; // {id, text}
  var results = document.getElementById("sound-results");
  var summary = document.getElementById("sound-summary");
  var chosenLine = document.getElementById("sound-chosen");
  var volumes = document.getElementById("sound-volumes");
  var NONE = "No sound: the video keeps its own audio only.";

  function describe(radio) {
    var text = radio.dataset.name;
    if (radio.dataset.artist) text += " by " + radio.dataset.artist;
    if (radio.dataset.length) text += " (" + radio.dataset.length + ")";
    return text;
  }

  function apply() {
    volumes.hidden = !chosen;
    chosenLine.textContent = chosen ? "Chosen sound: " + chosen.text : NONE;
  }

  picker.addEventListener("change", function (event) {
    var radio = event.target;
    if (radio.name !== "sound") return;
    chosen = radio.value ? { id: radio.value, text: describe(radio) } : null;
    apply();
  });

  ["sound-volume", "original-volume"].forEach(function (id) {
    var range = document.getElementById(id);
    var shown = document.getElementById(id + "-value");
    range.addEventListener("input", function () { shown.textContent = range.value; });
  });

  // Enter in the search box searches now; it must not submit (publish) the composer.
  document.getElementById("sound-q").addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    event.preventDefault();
    if (window.htmx) window.htmx.trigger("#sound-search", "input");
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== results) return;
    var list = document.getElementById("sound-list");
    var count = list ? Number(list.dataset.count) : 0;
    if (document.getElementById("sound-error")) summary.textContent = "";
    else summary.textContent = count === 1 ? "1 sound found." : count + " sounds found.";
    if (!chosen) return;
    results.querySelectorAll("input[name=sound]").forEach(function (radio) {
      if (radio.value === chosen.id) radio.checked = true;
    });
  });

  window.tikpostSound = function () {
    if (!chosen) return null;
    return {
      id: chosen.id,
      volume: Number(document.getElementById("sound-volume").value),
      original_volume: Number(document.getElementById("original-volume").value),
    };
  };

  apply();
})();
