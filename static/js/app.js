// Small behaviour for every page. No inline scripts (CSP), no eval (htmx config).
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // CSRF token as a header on every htmx request (hx-boost never refreshes <body>).
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // Move focus to an error summary so keyboard and screen-reader users hear it, or to the
  // first item of a window appended in place of a "Vis flere" link (the link is gone:
  // the swapped-out target is no longer in the page, so look in the whole page).
  function focusErrors(root) {
    var scope = root && root.isConnected ? root : document;
    var summary = scope.querySelector("[data-focus-on-load]");
    if (summary) {
      summary.removeAttribute("data-focus-on-load");
      summary.focus();
    }
  }
  document.addEventListener("DOMContentLoaded", function () { focusErrors(document); });
  document.addEventListener("htmx:afterSwap", function (event) { focusErrors(event.detail.target); });

  // One way to confirm: hx-confirm. htmx asks before the requests it makes; a plain form
  // (or the button that sends it) with hx-confirm is asked here, before it leaves.
  var SENT_BY_HTMX = "[hx-get],[hx-post],[hx-put],[hx-patch],[hx-delete]";
  document.addEventListener("submit", function (event) {
    var form = event.target, button = event.submitter;
    var asker = button && button.hasAttribute("hx-confirm") ? button : form;
    var message = asker.getAttribute("hx-confirm");
    if (!message || form.matches(SENT_BY_HTMX) || window.confirm(message)) { return; }
    event.preventDefault();
    event.stopPropagation();
  }, true);

  // Logout forgets unsaved meeting text kept in this tab (static/js/meeting.js).
  document.addEventListener("submit", function (event) {
    var action = event.target.getAttribute && event.target.getAttribute("action");
    if (!action || !/\/logout$/.test(action)) { return; }
    try {
      for (var i = window.sessionStorage.length - 1; i >= 0; i--) {
        var key = window.sessionStorage.key(i);
        if (key && key.indexOf("stafettlogg:draft:") === 0) { window.sessionStorage.removeItem(key); }
      }
    } catch (e) { /* storage unavailable: nothing kept */ }
  });

  // Unit pick lists (templates/logs/_unit_picker.html): a search field that narrows the
  // rest of the municipality's units; without JavaScript the whole list shows, by area.
  function setUpChoiceSearch(root) {
    var searches = (root || document).querySelectorAll("[data-choice-search]");
    Array.prototype.forEach.call(searches, function (box) { box.hidden = false; });
  }
  document.addEventListener("DOMContentLoaded", function () { setUpChoiceSearch(document); });
  document.addEventListener("htmx:afterSwap", function (event) { setUpChoiceSearch(event.detail.target); });
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-choice-filter]")) { return; }
    var picker = input.closest("details");
    var words = input.value.toLocaleLowerCase("nb").split(/\s+/).filter(Boolean);
    var shown = 0;
    Array.prototype.forEach.call(picker.querySelectorAll("[data-choice-group]"), function (group) {
      var inGroup = 0;
      var area = group.querySelector("legend").textContent.toLocaleLowerCase("nb");
      Array.prototype.forEach.call(group.querySelectorAll("[data-choice]"), function (choice) {
        var text = choice.textContent.toLocaleLowerCase("nb") + " " + area;
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        var checked = choice.querySelector("input").checked;
        choice.hidden = !(match || checked);
        if (!choice.hidden) { inGroup += 1; }
      });
      group.hidden = inGroup === 0;
      shown += inGroup;
    });
    picker.querySelector("[data-choice-none]").hidden = shown > 0;
  });

  // No answer, or a 5xx (a database outage answers 503): say so, calmly. The form keeps
  // what was typed, because htmx swaps nothing. Autosave in meetings retries by itself.
  // A 4xx that is not swapped (the base template's responseHandling: 409 and 422 are, with
  // the form and why) means what was clicked is gone or changed, or access changed: say
  // so, instead of a button that seems to do nothing.
  // Only what the person did counts: a request the page makes by itself
  // ([data-background-request]: a section refreshing after a save, plain-language hints
  // while typing) neither shows a notice nor takes one away, and a notice goes away only
  // with a request sent after it was shown (one sent before proves nothing about it).
  var requestsSent = 0;
  var shownAfter = {};
  function byThePage(event) {
    var elt = event.detail.elt;
    return Boolean(elt && elt.hasAttribute && elt.hasAttribute("data-background-request"));
  }
  document.addEventListener("htmx:beforeSend", function (event) {
    requestsSent += 1;
    if (event.detail.xhr) { event.detail.xhr.stafettloggSent = requestsSent; }
  });
  function showNotice(selector, show, xhr) {
    var notice = document.querySelector(selector);
    if (!notice) { return; }
    if (show) {
      shownAfter[selector] = requestsSent;
      notice.hidden = false;
    } else if (!xhr || (xhr.stafettloggSent || 0) > (shownAfter[selector] || 0)) {
      notice.hidden = true;
    }
  }
  function showUnavailable(show, xhr) { showNotice("[data-server-unavailable]", show, xhr); }
  function showRefused(show, xhr) { showNotice("[data-request-refused]", show, xhr); }
  document.addEventListener("htmx:sendError", function (event) {
    if (byThePage(event)) { return; }
    showRefused(false);
    showUnavailable(true);
  });
  document.addEventListener("htmx:responseError", function (event) {
    if (byThePage(event)) { return; }
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status >= 500 || status === 0) { showRefused(false); showUnavailable(true); }
    else if (status >= 400) { showUnavailable(false); showRefused(true); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (byThePage(event) || !xhr) { return; }
    if (xhr.status > 0 && xhr.status < 500) { showUnavailable(false, xhr); }
    if (xhr.status > 0 && xhr.status < 400) { showRefused(false, xhr); }
  });

  // A section refreshing after a save elsewhere on the page would replace a form the
  // person has open in it, and what they typed: it waits until they close the form (then
  // it refreshes) or save it (that answers with the section as it is then).
  document.addEventListener("htmx:confirm", function (event) {
    var trigger = event.detail.triggeringEvent;
    var elt = event.detail.elt;
    if (trigger && trigger.type === "log-changed" && elt.querySelector("details.add-form[open]")) {
      event.preventDefault();
      elt.setAttribute("data-refresh-waiting", "");
    }
  });
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.matches || !details.matches("details.add-form") || details.open) { return; }
    var waiting = details.closest("[data-refresh-waiting]");
    if (waiting && !waiting.querySelector("details.add-form[open]") && window.htmx) {
      waiting.removeAttribute("data-refresh-waiting");
      window.htmx.trigger(waiting, "log-changed");
    }
  }, true);  // toggle does not bubble

  // Print buttons: <button data-print>.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) { window.print(); }
  });
})();
