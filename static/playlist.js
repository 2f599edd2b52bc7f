/* A playlist on a TV: its boards in turn, each for data-seconds; a board with a red alert is
 * shown at once and held while it is red (several red boards take turns among themselves).
 *
 * Every board is a same-origin <iframe> of its own TV page, live on its own stream. The red
 * signal is read from each frame's document, as the board page draws it: a queue tile whose
 * worst level is red (`.queue[data-level="red"]`, from templates/partials/queue.html) or an
 * agent tile in a red alert (`.agent.alert-red`, templates/partials/agent.html). Reading the
 * drawn page, rather than a separate feed, means the playlist holds exactly what the board
 * shows, with the board's own thresholds, and needs nothing from the board page's script.
 *
 * What is shown is on <body>: data-showing (the board's id) and data-held ("true" while a red
 * board is held), for people looking at the page's source and for the tests.
 */
(function () {
  "use strict";

  var RED = '.queue[data-level="red"], .agent.alert-red';
  var CHECK_MS = 500;

  var body = document.body;
  var frames = Array.prototype.slice.call(document.querySelectorAll("iframe.slide"));
  var seconds = Math.max(5, parseInt(body.getAttribute("data-seconds") || "30", 10) || 30);
  var status = document.getElementById("playlist-status");
  var current = 0;
  var shownAt = Date.now();

  function isRed(frame) {
    try {
      var doc = frame.contentDocument;
      return !!(doc && doc.querySelector(RED));
    } catch (e) {
      return false;  // not this site's page (cannot happen with our own board pages)
    }
  }

  function show(index, held) {
    if (index !== current) {
      frames[current].classList.remove("current");
      frames[current].setAttribute("aria-hidden", "true");
      frames[index].classList.add("current");
      frames[index].removeAttribute("aria-hidden");
      current = index;
      shownAt = Date.now();
    }
    set(body, "data-showing", frames[index].getAttribute("data-board") || "");
    set(body, "data-held", held ? "true" : "false");
    body.classList.toggle("held", held);
    if (status) {
      var title = frames[index].getAttribute("title") || "";
      var text = title + " · " + (index + 1) + "/" + frames.length +
        (held ? " · " + window.wbWord("held", "held: red alert") : "");
      if (status.textContent !== text) { status.textContent = text; }
    }
  }

  function set(element, name, value) {
    // Only a change is written: a screen reader (aria-live) or an observer sees changes only.
    if (element.getAttribute(name) !== value) { element.setAttribute(name, value); }
  }

  function next(among) {
    // The board after the current one, among those given (all of them, or the red ones).
    for (var step = 1; step <= frames.length; step++) {
      var index = (current + step) % frames.length;
      if (among.indexOf(index) >= 0) { return index; }
    }
    return current;
  }

  function check() {
    var red = [];
    for (var i = 0; i < frames.length; i++) {
      if (isRed(frames[i])) { red.push(i); }
    }
    var due = Date.now() - shownAt >= seconds * 1000;
    if (red.length) {
      var stay = red.indexOf(current) >= 0 && !(due && red.length > 1);
      show(stay ? current : next(red), true);
    } else {
      show(due && frames.length > 1 ? next(frames.map(function (f, j) { return j; })) : current, false);
    }
  }

  if (frames.length) {
    show(0, false);
    window.setInterval(check, CHECK_MS);
  }
})();
