/* Alert sounds on the TV, per the board's setting (data-sound on <body>): "off", "once" (when
 * an alert is raised, and again when it turns red) or "repeat" (the same, then every 30 s while
 * it is active: until it is acknowledged, snoozed or cleared). Yellow and red sound different.
 *
 * The tones are generated with the Web Audio API: nothing to download or license. Browsers
 * refuse to play sound before anyone touched the page, unless told otherwise (kiosk Chromium:
 * --autoplay-policy=no-user-gesture-required); then the page says so and a tap enables it.
 */
(function () {
  "use strict";
  var REPEAT_MS = 30000;
  var mode = document.body.getAttribute("data-sound") || "off";
  if (mode !== "once" && mode !== "repeat") { return; }
  var ctx = null;
  var heard = {};      // alert id + level -> when it was last sounded (ms)
  var pending = [];    // levels waiting for the browser to allow sound

  function context() {
    if (!ctx) {
      var Ctor = window.AudioContext || window.webkitAudioContext;
      if (!Ctor) { return null; }
      ctx = new Ctor();
      // Sound allowed later without a tap (a policy change, a kiosk setting): play what waited.
      ctx.onstatechange = function () { if (ctx.state === "running") { flush(); } };
    }
    return ctx;
  }

  function blockedNotice(show) {
    var button = document.getElementById("sound-blocked");
    if (button) { button.hidden = !show; }
  }

  function play(level) {
    var c = context();
    if (!c) { return; }
    if (c.state !== "running") {
      pending.push(level);
      c.resume().catch(function () {});
      window.setTimeout(function () { blockedNotice(c.state !== "running"); }, 400);
      return;
    }
    blockedNotice(false);
    var notes = level === "red" ? [880, 587, 880] : [660];
    for (var i = 0; i < notes.length; i++) {
      var osc = c.createOscillator();
      var gain = c.createGain();
      osc.type = level === "red" ? "square" : "sine";
      osc.frequency.value = notes[i];
      gain.gain.value = 0.25;
      osc.connect(gain);
      gain.connect(c.destination);
      var at = c.currentTime + i * 0.28;
      osc.start(at);
      osc.stop(at + 0.22);
    }
  }

  function flush() {
    blockedNotice(false);
    var waiting = pending;
    pending = [];
    if (waiting.length) { play(waiting.indexOf("red") >= 0 ? "red" : waiting[0]); }
  }

  function check() {
    var now = Date.now();
    var items = document.querySelectorAll("#alerts [data-alert-id]");
    for (var i = 0; i < items.length; i++) {
      var el = items[i];
      if (el.getAttribute("data-state") !== "active") { continue; }
      var level = el.getAttribute("data-level");
      var key = el.getAttribute("data-alert-id") + ":" + level;
      var last = heard[key];
      if (last === undefined || (mode === "repeat" && now - last >= REPEAT_MS)) {
        heard[key] = now;
        play(level);
      }
    }
  }

  document.addEventListener("click", function (evt) {
    if (!evt.target || evt.target.id !== "sound-blocked") { return; }
    var c = context();
    if (!c) { return; }
    c.resume().then(flush);
  });
  document.addEventListener("htmx:oobAfterSwap", function (evt) {
    var target = evt.detail && evt.detail.target;
    if (target && target.id === "alerts") { check(); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    check();
    window.setInterval(check, 1000);
  });
})();
