// Meeting mode: autosave status (htmx shows "saving" with hx-indicator), retries, the unsaved-text warning, and keeping unsaved
// minutes in this tab (sessionStorage) across a session timeout. No inline scripts (CSP).
(function () {
  "use strict";

  var PREFIX = "stafettlogg:draft:";
  var retryDelay = 2000;
  var retryTimer = null;
  var leaving = false;        // a deliberate submit or the redirect to login
  var lastSaved = {};         // field name -> text the server has
  var pending = null;         // field values of the autosave in flight

  function form() { return document.getElementById("minutes-form"); }
  function fields() {
    var f = form();
    return f ? Array.prototype.slice.call(f.querySelectorAll("[data-autosave]")) : [];
  }
  function statusEl() { return document.getElementById("autosave-status"); }
  function draftKey() {
    var f = form() || document.querySelector("[data-draft-key]");
    return f ? PREFIX + f.getAttribute("data-draft-key") : null;
  }
  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }
  function values() {
    var out = {};
    fields().forEach(function (el) { out[el.name] = el.value; });
    return out;
  }
  function dirty() {
    return fields().some(function (el) { return el.value !== lastSaved[el.name]; });
  }
  function remember() {
    lastSaved = values();
  }
  function label(name) {
    var f = form() || document.querySelector("[data-draft-key]");
    return f ? f.getAttribute("data-label-" + name) : null;
  }
  function setStatus(text, isError) {
    var el = statusEl();
    if (!el) { return; }
    if (text !== null) { el.textContent = text; }
    el.classList.toggle("autosave-status--error", !!isError);
  }

  // Keep unsaved text in this tab only; cleared once saved and at logout (app.js).
  function storeDraft() {
    var key = draftKey(), store = storage();
    if (!key || !store) { return; }
    if (dirty()) {
      var version = document.getElementById("minutes-version");
      store.setItem(key, JSON.stringify({ values: values(), version: version ? version.value : "" }));
    } else {
      store.removeItem(key);
    }
  }
  function clearDraft() {
    var key = draftKey(), store = storage();
    if (key && store) { store.removeItem(key); }
  }

  function isAutosave(elt) { return elt && elt.hasAttribute && elt.hasAttribute("data-autosave"); }

  function retrySoon() {
    if (retryTimer) { clearTimeout(retryTimer); }
    retryTimer = setTimeout(function () {
      retryTimer = null;
      var first = fields()[0];
      if (first && dirty() && window.htmx) { window.htmx.trigger(first, "blur"); }
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }

  document.addEventListener("input", function (event) {
    if (isAutosave(event.target)) {
      storeDraft();
    }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    if (!isAutosave(event.detail.elt)) { return; }
    pending = values();
  });

  // Session expired: the server answers with HX-Redirect to login. Keep the draft and
  // leave without the unsaved-text warning; the page restores it after login.
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail.xhr;
    if (isAutosave(event.detail.elt) && xhr && xhr.getResponseHeader("HX-Redirect")) {
      storeDraft();
      leaving = true;
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt, xhr = event.detail.xhr;
    if (!isAutosave(elt) || !xhr || xhr.getResponseHeader("HX-Redirect")) { return; }
    if (xhr.status === 200 && pending) {
      lastSaved = pending;
      pending = null;
      retryDelay = 2000;
      setStatus(null, false);
      storeDraft();
    } else if (xhr.status === 422 || xhr.status === 409) {
      setStatus(null, true);  // the server's message is in the status or the conflict view
    }
  });

  function failed(event) {
    if (!isAutosave(event.detail.elt)) { return; }
    setStatus(label("retrying"), true);
    storeDraft();
    retrySoon();
  }
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:timeout", failed);
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status >= 500 || status === 0) { failed(event); }
    else if (isAutosave(event.detail.elt)) {
      setStatus(label("reload"), true);
    }
  });
  window.addEventListener("online", function () { if (dirty()) { retryDelay = 0; retrySoon(); } });

  // After a merge is saved, the editor comes back: start again from what is stored.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "minutes-editor") { return; }
    if (form()) {
      remember();
      clearDraft();
      return;
    }
    // Conflict view: keystrokes typed while the save was in flight are in the draft.
    var key = draftKey(), store = storage(), raw = key && store ? store.getItem(key) : null;
    if (!raw) { return; }
    try {
      var draft = JSON.parse(raw);
      Object.keys(draft.values || {}).forEach(function (name) {
        var merge = document.getElementById("merge-" + name);
        if (merge && typeof draft.values[name] === "string") { merge.value = draft.values[name]; }
      });
    } catch (e) { /* a broken draft: the server's copy of your text is in the form */ }
  });

  document.addEventListener("submit", function () { leaving = true; });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-discard-draft]")) {
      clearDraft();
      leaving = true;
    }
  });

  window.addEventListener("beforeunload", function (event) {
    if (leaving) { return; }
    if (dirty() || document.querySelector("[data-conflict]")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // Back after login (or a reload): put unsaved text back and save it, based on the
  // version it was written against, so a change by someone else shows as a conflict.
  function restore() {
    var key = draftKey(), store = storage();
    if (!key || !store || !form()) { return; }
    var raw = store.getItem(key);
    if (!raw) { return; }
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { store.removeItem(key); return; }
    var differs = fields().some(function (el) {
      return typeof draft.values[el.name] === "string" && draft.values[el.name] !== el.value;
    });
    if (!differs) { store.removeItem(key); return; }
    fields().forEach(function (el) {
      if (typeof draft.values[el.name] === "string") { el.value = draft.values[el.name]; }
    });
    var version = document.getElementById("minutes-version");
    if (version && draft.version) { version.value = draft.version; }
    setStatus(label("restored"), false);
    if (window.htmx) { window.htmx.trigger(fields()[fields().length - 1], "blur"); }
  }

  document.addEventListener("DOMContentLoaded", remember);
  window.addEventListener("load", restore);
})();
