// Copy an invitation link: <button data-copy="#input-id">. No inline scripts (CSP).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) { return; }
    var input = document.querySelector(button.getAttribute("data-copy"));
    var status = document.querySelector("[data-copy-status]");
    if (!input) { return; }
    input.select();
    var done = function () { if (status) { status.textContent = "Lenken er kopiert."; } };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () {
        if (status) { status.textContent = "Marker lenken og kopier den med Ctrl+C."; }
      });
    } else if (document.execCommand && document.execCommand("copy")) {
      done();
    } else if (status) {
      status.textContent = "Marker lenken og kopier den med Ctrl+C.";
    }
  });
})();
