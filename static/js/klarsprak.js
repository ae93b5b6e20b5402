// Plain-language hints beside every log textarea marked data-klarsprak (progressive
// enhancement: without JavaScript the text is simply saved). Hints advise, never block.
(function () {
  "use strict";

  var DELAY = 1000;
  var panels = 0;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function hintsUrl(textarea) {
    var sources = [textarea.form ? textarea.form.getAttribute("action") : "", window.location.pathname];
    for (var i = 0; i < sources.length; i++) {
      var match = /^\/logger\/(\d+)\//.exec(sources[i] || "");
      if (match) { return "/logger/" + match[1] + "/klarsprak"; }
    }
    return null;
  }

  function labelText(textarea) {
    if (textarea.getAttribute("data-klarsprak-label")) { return textarea.getAttribute("data-klarsprak-label"); }
    var label = textarea.id ? document.querySelector('label[for="' + textarea.id + '"]') : null;
    return label ? label.childNodes[0].textContent.trim() : "";
  }

  function panelFor(textarea) {
    if (textarea._klarsprakPanel) { return textarea._klarsprakPanel; }
    var selector = textarea.getAttribute("data-klarsprak-panel");
    var panel = selector ? document.querySelector(selector) : null;
    if (!panel) {
      panels += 1;
      panel = document.createElement("div");
      panel.className = "klarsprak-hints klarsprak-hints--inline";
      panel.setAttribute("role", "region");
      panel.setAttribute("aria-label", "Klarspråk: " + labelText(textarea));
      panel.id = "klarsprak-panel-" + panels;
      var body = document.createElement("div");
      body.setAttribute("data-klarsprak-body", "");
      panel.appendChild(body);
      var field = textarea.closest(".field") || textarea;
      field.insertAdjacentElement("afterend", panel);
      panel.hidden = true;
    }
    textarea._klarsprakPanel = panel;
    return panel;
  }

  function run(textarea, chosenForm) {
    var url = hintsUrl(textarea);
    if (!url || !window.fetch) { return; }
    var panel = panelFor(textarea);
    panel._klarsprakSource = textarea;
    var heading = panel.querySelector("[data-klarsprak-for]");
    if (heading) { heading.textContent = labelText(textarea); }
    var seq = (textarea._klarsprakSeq || 0) + 1;
    textarea._klarsprakSeq = seq;
    var data = new URLSearchParams();
    data.append("text", textarea.value);
    if (chosenForm) { data.append("form", chosenForm); }
    window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded" },
      body: data.toString()
    }).then(function (response) {
      // Session expired (HX-Redirect) or refused: no hints, and never leave the page
      // while someone is typing; the save itself handles the login.
      if (!response.ok || response.headers.get("HX-Redirect")) { return null; }
      return response.text();
    }).then(function (html) {
      if (html === null || seq !== textarea._klarsprakSeq) { return; }
      var body = panel.querySelector("[data-klarsprak-body]") || panel;
      body.innerHTML = html;  // our own server-rendered, escaped partial (meetings/_hints.html)
      panel.hidden = false;
    }).catch(function () { /* offline: hints come back with the next keystroke */ });
  }

  function schedule(textarea) {
    if (textarea._klarsprakTimer) { clearTimeout(textarea._klarsprakTimer); }
    textarea._klarsprakTimer = setTimeout(function () { run(textarea); }, DELAY);
  }

  document.addEventListener("input", function (event) {
    var el = event.target;
    if (el.matches && el.matches("textarea[data-klarsprak]")) { schedule(el); }
  });
  document.addEventListener("focusin", function (event) {
    var el = event.target;
    if (el.matches && el.matches("textarea[data-klarsprak]") && !el._klarsprakSeq && el.value.trim()) { run(el); }
  });
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select.matches && select.matches("select[data-klarsprak-form]"))) { return; }
    event.stopPropagation();
    var panel = select.closest(".klarsprak-hints");
    var source = panel && panel._klarsprakSource;
    if (!source && panel && panel.id) {
      source = document.querySelector('textarea[data-klarsprak-panel="#' + panel.id + '"]');
    }
    if (source) { run(source, select.value); }
  }, true);
})();
