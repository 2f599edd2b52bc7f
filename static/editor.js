/* The board editor's behaviour: ordered choices (widgets, a playlist's boards) moved up and
 * down, the delete confirmation's Cancel, the live previews, and the import of a JSON file.
 * Everything else is htmx: the forms post and get HTML fragments back.
 */
(function () {
  "use strict";

  // -- ordered choices: the rows' order is the order posted (hidden "…_order" inputs) -------

  function move(button) {
    var row = button.closest(".ordered-row");
    if (!row) { return; }
    var up = button.getAttribute("data-move") === "up";
    var other = up ? row.previousElementSibling : row.nextElementSibling;
    if (!other) { return; }
    row.parentNode.insertBefore(row, up ? other : other.nextElementSibling);
    button.focus();  // the keyboard stays on the row it moves
    var label = row.querySelector("label");
    var rows = Array.prototype.indexOf.call(row.parentNode.children, row) + 1;
    say(window.wbWord("position", "%(what)s: position %(n)s",
                      { what: label ? label.textContent : "", n: rows }));
  }

  function say(text) {
    var status = document.getElementById("editor-status");
    if (status) { status.textContent = text; }
  }

  // -- delete confirmation ----------------------------------------------------------------

  var opener = null;  // the "Delete…" button whose question is open, to give the focus back

  document.addEventListener("click", function (evt) {
    var target = evt.target;
    if (!(target instanceof Element)) { return; }
    var mover = target.closest("[data-move]");
    if (mover) { move(mover); return; }
    if (target.closest("[hx-get$='/delete'], [hx-get*='/delete?']")) {
      opener = target.closest("button");
    }
    if (target.closest("[data-dismiss]")) {
      var box = target.closest(".ed-confirm");
      if (box) { box.remove(); }
      if (opener && document.contains(opener)) { opener.focus(); }
    }
    var live = target.closest(".show-live");
    if (live) { makeLive(live.parentNode.querySelector("iframe.preview"), true); }
  });

  // -- live previews ------------------------------------------------------------------------
  // Each preview is a board page with its own event stream. Over HTTP/1.1 a browser holds
  // about six connections per site, so the list keeps a few previews live at once (the first
  // ones, or the ones asked for) and offers a button on the others, lest the streams starve
  // the editor's own requests.

  var MAX_LIVE = 3;
  var RETRIES = 20;  // a board saved a moment ago is known to the pages within seconds
  var live = [];

  function makeLive(frame, asked) {
    if (!frame || live.indexOf(frame) >= 0) { return; }
    if (live.length >= MAX_LIVE) {
      if (!asked) { showButton(frame, true); return; }
      var oldest = live.shift();
      oldest.removeAttribute("src");
      showButton(oldest, true);
    }
    live.push(frame);
    showButton(frame, false);
    frame.setAttribute("src", frame.getAttribute("data-src"));
  }

  function showButton(frame, shown) {
    var button = frame.parentNode.querySelector(".show-live");
    if (button) { button.hidden = !shown; }
    frame.classList.toggle("paused", shown);
  }

  function initPreviews() {
    live = live.filter(function (frame) { return document.contains(frame); });
    var frames = document.querySelectorAll("iframe.preview[data-src]:not([data-seen])");
    for (var i = 0; i < frames.length; i++) {
      frames[i].setAttribute("data-seen", "1");
      makeLive(frames[i], false);
    }
  }

  // A preview that is not a board page (a board saved a moment ago is unknown to this web
  // process for a second or two, and its "not found" answer may not be framed, which leaves
  // the frame's document unreadable): try again, a few times.
  document.addEventListener("load", function (evt) {
    var frame = evt.target;
    if (!(frame instanceof HTMLIFrameElement) || !frame.classList.contains("preview")) { return; }
    var doc = null;
    try { doc = frame.contentDocument; } catch (e) { doc = null; }
    if (!frame.getAttribute("src") || (doc && doc.getElementById("board-main"))) { return; }
    var tries = parseInt(frame.getAttribute("data-tries") || "0", 10);
    if (tries >= RETRIES) { return; }
    frame.setAttribute("data-tries", String(tries + 1));
    window.setTimeout(function () {
      var src = frame.getAttribute("src");
      if (src) { frame.setAttribute("src", src); }
    }, 1000);
  }, true);

  // -- after a form comes back: the keyboard's focus on what needs attention ----------------

  document.addEventListener("htmx:afterSettle", function (evt) {
    initPreviews();
    var elt = evt.detail && evt.detail.elt;
    if (!(elt instanceof Element) || !elt.classList.contains("ed-form")) { return; }
    var first = elt.querySelector("[aria-invalid='true']");
    var focusable = first && first.matches("fieldset") ? first.querySelector("input, select") : first;
    var note = elt.querySelector("#form-note");
    if (focusable) { focusable.focus(); } else if (note) { note.focus(); }
  });

  // -- import: the chosen file's text is the request's JSON body ---------------------------

  var chosen = new WeakMap();  // form → the text of its chosen file

  document.addEventListener("change", function (evt) {
    var input = evt.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.form) { return; }
    var form = input.form;
    var button = form.querySelector("button[type=submit]");
    chosen.delete(form);
    if (!input.files || !input.files.length) { return; }
    if (button) { button.disabled = true; }
    var reader = new FileReader();
    reader.onload = function () {
      chosen.set(form, String(reader.result));
      if (button) { button.disabled = false; }
    };
    reader.readAsText(input.files[0]);
  });

  function defineImport() {
    if (!window.htmx) { return; }
    window.htmx.defineExtension("json-document", {
      onEvent: function (name, evt) {
        if (name === "htmx:configRequest") {
          evt.detail.headers["Content-Type"] = "application/json";
        }
      },
      encodeParameters: function (xhr, parameters, elt) {
        var form = elt.closest("form");
        return (form && chosen.get(form)) || "";
      }
    });
  }

  defineImport();
  document.addEventListener("DOMContentLoaded", initPreviews);
})();
