// "Les høyt": the browser's speech synthesis reads the minutes and measures aloud,
// with a Norwegian voice where one is installed. Hidden where there is no synthesis.
(function () {
  "use strict";

  function norwegianVoice(lang) {
    var voices = window.speechSynthesis.getVoices() || [];
    var wanted = lang === "nn" ? ["nn", "nb", "no"] : ["nb", "no", "nn"];
    for (var i = 0; i < wanted.length; i++) {
      for (var j = 0; j < voices.length; j++) {
        if ((voices[j].lang || "").toLowerCase().indexOf(wanted[i]) === 0) { return voices[j]; }
      }
    }
    return null;
  }

  function blocks(root) {
    var nodes = root.querySelectorAll("h1, h2, h3, p, li > div, li > p");
    var out = [];
    Array.prototype.forEach.call(nodes, function (node) {
      var text = (node.innerText || node.textContent || "").trim();
      if (text) { out.push(text); }
    });
    return out;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-readaloud-button]");
    var root = document.querySelector("[data-readaloud-text]");
    if (!button || !root) { return; }
    if (!("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") { return; }
    button.hidden = false;
    var synth = window.speechSynthesis;
    var lang = root.getAttribute("lang") || "nb";

    function reset() {
      button.textContent = button.getAttribute("data-label-start");
    }

    button.addEventListener("click", function () {
      if (synth.speaking || synth.pending) {
        synth.cancel();
        reset();
        return;
      }
      var voice = norwegianVoice(lang);
      var parts = blocks(root);
      // One utterance per paragraph: long utterances stop early in some browsers.
      parts.forEach(function (text, index) {
        var utterance = new window.SpeechSynthesisUtterance(text);
        utterance.lang = voice ? voice.lang : (lang === "nn" ? "nn-NO" : "nb-NO");
        if (voice) { utterance.voice = voice; }
        utterance.rate = 0.95;
        if (index === parts.length - 1) { utterance.onend = reset; }
        synth.speak(utterance);
      });
      button.textContent = button.getAttribute("data-label-stop");
    });
    window.addEventListener("pagehide", function () { synth.cancel(); });
  });
})();
