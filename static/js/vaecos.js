/* VAE COS — small scripts, no bundler. Hooks are data attributes prefixed with "data-vaecos-".
 *
 * Autosave: every field marked [data-vaecos-field] saves at most 2 s after the last keystroke
 * and when it loses focus. Until the server acknowledges a save, the text is kept in
 * localStorage and sent again (same save id, so a save that did arrive is never duplicated).
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 1000;
  var MAX_WAIT_MS = 8000;
  var RETRY_MS = [1500, 3000, 5000, 8000];
  var PREFIX = "vaecos:draft:";
  var fields = [];

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function store(key, value) {
    try {
      if (value === null) { window.localStorage.removeItem(key); }
      else { window.localStorage.setItem(key, JSON.stringify(value)); }
    } catch (e) { /* storage full or disabled: the server save still runs */ }
  }

  function load(key) {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function Field(root) {
    this.root = root;
    this.url = root.getAttribute("data-vaecos-url");
    this.input = root.querySelector("[data-vaecos-input]");
    this.status = root.querySelector("[data-vaecos-status]");
    this.conflictBox = root.querySelector("[data-vaecos-conflict]");
    this.revision = parseInt(root.getAttribute("data-vaecos-revision"), 10) || 0;
    this.savedText = this.input.value;
    this.storageKey = PREFIX + root.getAttribute("data-vaecos-dossier") + ":" + root.getAttribute("data-vaecos-key");
    this.attempt = null;        // {text, saveId}: the text being sent and its idempotency key
    this.unacked = [];          // {text, saveId} sent but never answered: the server may have them
    this.inflight = false;
    this.queued = false;
    this.inConflict = false;
    this.timer = null;
    this.firstDirtyAt = null;
    this.retryTimer = null;
    this.retryCount = 0;
    this.pendingSubmit = null;  // a personal-data action waiting for the text to be saved
    root.vaecosField = this;
    var self = this;
    this.input.addEventListener("input", function () { self.onInput(); });
    this.input.addEventListener("blur", function () { self.save(); });
    this.restoreDraft();
  }

  Field.prototype.setStatus = function (kind, text) {
    this.status.className = "vaecos-status small is-" + kind;
    this.status.textContent = text;
    this.root.setAttribute("data-vaecos-state", kind);
  };

  Field.prototype.isDirty = function () { return this.input.value !== this.savedText; };

  Field.prototype.keepDraft = function () {
    var text = this.input.value;
    if (!this.attempt || this.attempt.text !== text) { this.attempt = { text: text, saveId: uuid() }; }
    store(this.storageKey, {
      text: text, base: this.revision, saveId: this.attempt.saveId, at: Date.now(),
      unacked: this.unacked.map(function (u) { return u.saveId; })
    });
  };

  Field.prototype.restoreDraft = function () {
    var draft = load(this.storageKey);
    if (!draft || typeof draft.text !== "string") { return; }
    if (draft.text === this.savedText) { store(this.storageKey, null); return; }
    this.input.value = draft.text;
    this.attempt = { text: draft.text, saveId: draft.saveId || uuid() };
    if (Array.isArray(draft.unacked)) {
      this.unacked = draft.unacked.map(function (id) { return { text: null, saveId: id }; });
    }
    if (typeof draft.base === "number" && draft.base !== this.revision) {
      // The server moved on since this text was typed: maybe our own save, maybe another tab.
      this.unacked.push({ text: draft.text, saveId: this.attempt.saveId });
      this.draftBase = draft.base;
    }
    this.setStatus("pending", "Texte non enregistré retrouvé dans ce navigateur : envoi en cours…");
    this.save();
  };

  Field.prototype.onInput = function () {
    if (this.inConflict) { this.keepDraft(); return; }
    this.keepDraft();
    this.setStatus("pending", "Modifications en cours…");
    var self = this;
    var now = Date.now();
    if (this.firstDirtyAt === null) { this.firstDirtyAt = now; }
    clearTimeout(this.timer);
    var wait = Math.min(DEBOUNCE_MS, Math.max(0, this.firstDirtyAt + MAX_WAIT_MS - now));
    this.timer = setTimeout(function () { self.save(); }, wait);
  };

  Field.prototype.scheduleRetry = function () {
    var self = this;
    clearTimeout(this.retryTimer);
    var delay = RETRY_MS[Math.min(this.retryCount, RETRY_MS.length - 1)];
    this.retryCount += 1;
    this.retryTimer = setTimeout(function () { self.retryTimer = null; self.save(); }, delay);
  };

  Field.prototype.save = function () {
    clearTimeout(this.timer);
    if (this.inConflict) { return; }
    if (this.inflight) { this.queued = true; return; }
    if (!this.isDirty() && !load(this.storageKey)) { return; }
    this.keepDraft();
    var text = this.attempt.text;
    var saveId = this.attempt.saveId;
    var base = (this.draftBase !== undefined) ? this.draftBase : this.revision;
    this.draftBase = undefined;
    var body = new FormData();
    body.append("text", text);
    body.append("base_revision", String(base));
    body.append("save_id", saveId);
    // Saves whose answer was lost: if the newest revision is one of them, it is ours, not a conflict.
    this.unacked.forEach(function (u) { if (u.saveId !== saveId) { body.append("previous_save_id", u.saveId); } });
    this.inflight = true;
    this.firstDirtyAt = null;
    this.setStatus("pending", "Enregistrement…");
    var self = this;
    fetch(this.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
      keepalive: new Blob([text]).size < 60000  // Chromium caps keepalive bodies at 64 KiB
    }).then(function (resp) {
      return resp.json().then(function (data) { return { resp: resp, data: data }; },
                              function () { return { resp: resp, data: null }; });
    }).then(function (r) {
      self.inflight = false;
      self.handle(r.resp, r.data, text, saveId);
    }, function () {
      self.inflight = false;
      self.unacked.push({ text: text, saveId: saveId });
      self.fail("Non enregistré : le serveur ne répond pas. Votre texte est gardé dans ce navigateur et sera renvoyé automatiquement.");
    });
  };

  Field.prototype.fail = function (message) {
    this.pendingSubmit = null;
    this.setStatus("error", message);
    this.scheduleRetry();
    this.afterRequest();
  };

  Field.prototype.afterRequest = function () {
    if (this.queued) { this.queued = false; this.save(); }
  };

  Field.prototype.handle = function (resp, data, text, saveId) {
    // A personal-data action waits for this save; if the save fails, it is dropped (not sent
    // later by surprise): the candidate clicks again.
    var pending = this.pendingSubmit;
    this.pendingSubmit = null;
    if (resp.ok && data && typeof data.revision === "number") {
      this.revision = data.revision;
      this.savedText = text;
      this.unacked = [];
      this.retryCount = 0;
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
      if (this.input.value === text) { store(this.storageKey, null); this.attempt = null; }
      else { this.keepDraft(); this.queued = true; }
      this.setStatus("saved", "Enregistré à " + data.saved_at_display);
      document.body.dispatchEvent(new CustomEvent("vaecos:saved", { bubbles: true }));
      // The personal-data highlights under this field are scanned again.
      this.root.dispatchEvent(new CustomEvent("vaecos:field-saved"));
      if (pending && !this.isDirty()) {
        pending.submit();
        return;
      }
      this.pendingSubmit = pending;  // typed again meanwhile: wait for the next save
      this.afterRequest();
      return;
    }
    if (resp.status === 409 && data && data.outcome === "conflict") {
      var mine = this.unacked.some(function (u) { return u.text === data.text; });
      if (mine) {
        // The newer text on the server is one this page sent before losing the answer.
        this.revision = data.revision;
        this.savedText = data.text;
        this.unacked = [];
        this.attempt = null;
        this.queued = true;
        this.afterRequest();
        return;
      }
      this.showConflict(data.text, data.revision);
      return;
    }
    if (data && data.error) {
      this.setStatus("error", "Non enregistré : " + data.error + " Votre texte reste dans ce navigateur.");
      if (resp.status >= 500) { this.scheduleRetry(); }
      return;
    }
    if (resp.status === 403 || (resp.ok && !data)) {
      this.fail("Non enregistré : votre session a peut-être expiré. Reconnectez-vous dans un autre onglet ; votre texte est gardé dans ce navigateur.");
      return;
    }
    this.unacked.push({ text: text, saveId: saveId });
    this.fail("Non enregistré (erreur " + resp.status + "). Votre texte est gardé dans ce navigateur et sera renvoyé automatiquement.");
  };

  Field.prototype.showConflict = function (serverText, serverRevision) {
    var self = this;
    this.inConflict = true;
    this.setStatus("error", "Conflit : ce texte a été modifié ailleurs. Choisissez la version à garder.");
    var box = this.conflictBox;
    box.replaceChildren();
    box.hidden = false;
    var alert = document.createElement("div");
    alert.className = "alert alert-warning";
    alert.setAttribute("role", "alert");
    var title = document.createElement("p");
    title.className = "fw-bold mb-1";
    title.tabIndex = -1;
    title.textContent = "Ce texte a été modifié dans un autre onglet ou sur un autre appareil.";
    var explain = document.createElement("p");
    explain.textContent = "Rien n'a été écrasé : les deux versions sont gardées dans l'historique. " +
      "Votre version est dans le champ ci-dessus (vous pouvez la compléter) ; la version enregistrée est ci-dessous.";
    var label = document.createElement("label");
    var otherId = this.input.id + "-enregistree";
    label.setAttribute("for", otherId);
    label.className = "form-label fw-semibold";
    label.textContent = "Version enregistrée";
    var other = document.createElement("textarea");
    other.id = otherId;
    other.className = "form-control mb-2";
    other.readOnly = true;
    other.rows = 6;
    other.value = serverText;
    var keepMine = document.createElement("button");
    keepMine.type = "button";
    keepMine.className = "btn btn-primary me-2";
    keepMine.textContent = "Garder ma version";
    var takeTheirs = document.createElement("button");
    takeTheirs.type = "button";
    takeTheirs.className = "btn btn-outline-primary";
    takeTheirs.textContent = "Reprendre la version enregistrée";
    keepMine.addEventListener("click", function () {
      self.closeConflict(serverRevision);
      self.attempt = null;
      self.save();
    });
    takeTheirs.addEventListener("click", function () {
      self.closeConflict(serverRevision);
      self.input.value = serverText;
      self.savedText = serverText;
      store(self.storageKey, null);
      self.attempt = null;
      self.setStatus("saved", "Version enregistrée reprise.");
      self.input.focus();
    });
    alert.append(title, explain, label, other, keepMine, takeTheirs);
    box.append(alert);
    // Announced by role="alert"; focus moves only if the candidate is not typing in the field.
    if (document.activeElement !== this.input) { title.focus(); }
  };

  Field.prototype.closeConflict = function (serverRevision) {
    this.inConflict = false;
    this.revision = serverRevision;
    this.unacked = [];
    this.conflictBox.hidden = true;
    this.conflictBox.replaceChildren();
  };

  function saveAll() { fields.forEach(function (f) { if (f.isDirty()) { f.save(); } }); }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-vaecos-field]").forEach(function (el) { fields.push(new Field(el)); });
    window.addEventListener("online", saveAll);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { saveAll(); }
    });

    // A situation happened elsewhere: show its own context field.
    document.querySelectorAll("[data-vaecos-context-mode]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        var target = document.getElementById(radio.getAttribute("data-vaecos-context-mode"));
        if (target) { target.hidden = radio.value !== "own"; }
      });
    });

    // A personal-data action rewrites the saved text: the text being typed is saved first.
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.matches || !form.matches("form[data-vaecos-pii-action]")) { return; }
      var root = form.closest("[data-vaecos-field]");
      var field = root && root.vaecosField;
      if (!field || (!field.isDirty() && !field.inflight)) { return; }
      event.preventDefault();
      field.pendingSubmit = form;
      field.setStatus("pending", "Enregistrement du texte avant le remplacement…");
      field.save();
    });

    // Confirmation before a destructive action.
    document.querySelectorAll("form[data-vaecos-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-vaecos-confirm"))) { event.preventDefault(); }
      });
    });
  });

  // htmx requests carry the CSRF token.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });
})();
