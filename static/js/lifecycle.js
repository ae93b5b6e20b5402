// Copy an invitation link: <button data-copy="#input-id">. No inline scripts (CSP).
// The messages come from the page (data-copied, data-copy-failed), in the page's language.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) { return; }
    var input = document.querySelector(button.getAttribute("data-copy"));
    var status = document.querySelector("[data-copy-status]");
    if (!input) { return; }
    input.select();
    var say = function (key) { if (status) { status.textContent = status.getAttribute(key) || ""; } };
    var done = function () { say("data-copied"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { say("data-copy-failed"); });
    } else if (document.execCommand && document.execCommand("copy")) {
      done();
    } else {
      say("data-copy-failed");
    }
  });
})();
