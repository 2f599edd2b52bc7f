/* Wallboard page behaviour: ticking durations, the freshness line, self-healing.
 *
 * Durations tick here, once a second, from QueueMetrics' timestamps: "now" on QueueMetrics'
 * clock is the browser's clock corrected by the server's (data-server-now, refreshed by every
 * heartbeat) and by the QueueMetrics clock offset the poller measured. A TV whose own clock is
 * wrong therefore still shows right durations.
 */
(function () {
  "use strict";

  // The server sends a heartbeat at least every keep-alive period (data-keepalive, at most 15 s).
  var SILENCE_STALE_BEATS = 3;   // this many missed: say the stream is down
  var SILENCE_RELOAD_BEATS = 12; // this many: reload the whole page
  var keepalive = 15;
  var skew = 0;                  // server clock minus browser clock, seconds
  var qmOffset = 0;              // QueueMetrics clock minus server clock, seconds
  var lastMessage = Date.now();
  var pageBuild = document.body.getAttribute("data-build") || "";

  var word = window.wbWord;  // static/words.js: the page's language

  function browserNow() { return Date.now() / 1000; }
  function serverNow() { return browserNow() + skew; }
  function qmNow() { return serverNow() + qmOffset; }

  function duration(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    var mm = h > 0 && m < 10 ? "0" + m : String(m);
    var ss = s < 10 ? "0" + s : String(s);
    return h > 0 ? h + ":" + mm + ":" + ss : mm + ":" + ss;
  }

  var clockFormat = null, clockLang = null;
  var CLOCK_OPTIONS = { hour: "2-digit", minute: "2-digit", second: "2-digit" };

  function clockText(epoch) {
    // One formatter kept (toLocaleTimeString makes a new one per call, the costly part).
    var d = new Date((epoch - skew) * 1000);
    var lang = document.documentElement.lang || undefined;
    if (isNaN(d.getTime())) { return d.toLocaleTimeString(lang, CLOCK_OPTIONS); }
    if (clockFormat === null || clockLang !== lang) {
      clockLang = lang;
      try { clockFormat = new Intl.DateTimeFormat(lang, CLOCK_OPTIONS); } catch (e) { clockFormat = false; }
    }
    return clockFormat ? clockFormat.format(d) : d.toLocaleTimeString(lang, CLOCK_OPTIONS);
  }

  function readFreshness() {
    var f = document.getElementById("freshness");
    if (!f) { return; }
    var sNow = parseFloat(f.getAttribute("data-server-now"));
    if (!isNaN(sNow) && f.getAttribute("data-read") !== "1") {
      skew = sNow - browserNow();
      f.setAttribute("data-read", "1");
    }
    var beat = parseFloat(f.getAttribute("data-keepalive"));
    keepalive = isNaN(beat) || beat <= 0 ? 15 : Math.min(beat, 15);
    var offset = parseFloat(f.getAttribute("data-qm-offset"));
    qmOffset = isNaN(offset) ? 0 : offset;
    var build = f.getAttribute("data-build");
    if (build && pageBuild && build !== pageBuild) {
      window.location.reload();
    }
    document.body.classList.toggle("data-stale", f.getAttribute("data-stale") === "true");
  }

  // The elements whose words the script writes: durations (data-since), ages (data-ago) and
  // times of day (data-at). Collected once, again after the DOM changed.
  var TICKED = "[data-since],[data-ago],[data-at]";
  var ticked = null;
  var tickedAge = 0;

  function textFor(el, now, sNow) {
    // The words an element shows now; null: leave it as it is.
    var v = el.getAttribute("data-since");
    if (v !== null) {
      var since = parseFloat(v);
      return !isNaN(since) && since > 0 ? duration(now - since) : null;
    }
    v = el.getAttribute("data-ago");
    if (v !== null) {
      var at = parseFloat(v);
      if (isNaN(at)) { return null; }
      var age = Math.max(0, Math.round(sNow - at));
      return age <= 1 ? word("just_now", "just now") : word("seconds_ago", "%(n)s s ago", { n: age });
    }
    v = el.getAttribute("data-at");
    return v !== null ? clockText(parseFloat(v)) : null;
  }

  function shown(el) {
    // Not in a hidden tile, row or page of tiles (only the attribute: no layout is read).
    for (var e = el; e; e = e.parentElement) {
      if (e.hidden) { return false; }
      if (e === document.body) { return true; }
    }
    return false;  // no longer in the page
  }

  function write(el, text) {
    // Only words that changed: a write is a layout of its line, even for the same words.
    if (el.textContent !== text) { el.textContent = text; }
  }

  function tickNodes(nodes, now, sNow) {
    var gone = false;
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      if (!shown(el)) { gone = gone || !el.isConnected; continue; }  // shown again: ticked then
      var text = textFor(el, now, sNow);
      if (text !== null) { write(el, text); }
    }
    if (gone) { ticked = null; }
  }

  function tickWithin(root) {
    // The words in one part of the page (swapped in, or shown again).
    if (!root || !root.querySelectorAll) { return; }
    var now = qmNow(), sNow = serverNow();
    if (root.matches && root.matches(TICKED)) { tickNodes([root], now, sNow); }
    tickNodes(root.querySelectorAll(TICKED), now, sNow);
  }

  function tick() {
    // Once a second: what is shown. Hidden tiles and rows are brought up to date when shown.
    if (ticked === null || ++tickedAge > 30) { ticked = document.querySelectorAll(TICKED); tickedAge = 0; }
    tickNodes(ticked, qmNow(), serverNow());
    var clock = document.getElementById("clock");
    if (clock) { write(clock, clockText(serverNow())); }
    var silent = (Date.now() - lastMessage) / 1000;
    // Only a live page minds a silent stream: a form being filled in is never reloaded.
    var live = document.querySelector("[sse-connect]") !== null;
    document.body.classList.toggle("stream-down", live && silent > SILENCE_STALE_BEATS * keepalive + 2);
    if (live && silent > SILENCE_RELOAD_BEATS * keepalive + 5) { window.location.reload(); }
  }

  // A tile holds a name and a state line at the reading size (1/45 of the shorter side, see
  // wallboard.css): below these it is not readable from across the room; pages rotate instead.
  var READ_VMIN = 100 / 45;
  var MIN_TILE_VMIN = 9;
  var MIN_TILE_WIDTH_VMIN = 26;
  var PAGE_SECONDS = 10;
  var page = 0;

  function layout(count, w, h, gap, maxRows, maxCols) {
    // The column count whose tiles come closest to a readable 3.2:1 shape.
    var best = { cols: 1, rows: Math.min(count, maxRows), score: Infinity };
    for (var cols = 1; cols <= Math.min(count, maxCols); cols++) {
      var rows = Math.min(Math.ceil(count / cols), maxRows);
      var tileW = (w - gap * (cols - 1)) / cols;
      var tileH = (h - gap * (rows - 1)) / rows;
      var score = Math.abs(Math.log(tileW / tileH / 3.2));
      if (score < best.score) { best = { cols: cols, rows: rows, score: score }; }
    }
    return best;
  }

  // What the last fit decided: the grid, how many tiles, and for each tile (by id) whether it
  // is on another page. A tile swapped in place takes its place's page without a new fit.
  var fitted = null;

  function setVar(el, name, value) {
    // A custom property written only when it changed (each write restyles every tile).
    if (el.style.getPropertyValue(name) !== value) { el.style.setProperty(name, value); }
  }

  function fit() {
    // Auto-size the agent grid to its space first; when even small tiles do not fit, show
    // pages of tiles that rotate. Never a scrollbar.
    fitAlerts();  // first: the strip's height is the grid's room
    watchGrid();
    fitted = null;
    var grid = document.getElementById("agents");
    if (!grid || !document.body.classList.contains("tv")) { return; }
    var tiles = grid.querySelectorAll(".agent");
    var count = Math.max(1, tiles.length);
    // Everything read first, then written: one layout, not one per tile.
    var gap = parseFloat(getComputedStyle(grid).rowGap) || 0;
    var w = grid.clientWidth, h = grid.clientHeight;
    var vmin = Math.min(window.innerWidth, window.innerHeight) / 100;
    var minTile = vmin * MIN_TILE_VMIN, minWidth = vmin * MIN_TILE_WIDTH_VMIN;
    var maxRows = Math.max(1, Math.floor((h + gap) / (minTile + gap)));
    var maxCols = Math.max(1, Math.floor((w + gap) / (minWidth + gap)));
    var shape = layout(count, w, h, gap, maxRows, maxCols);
    var perPage = shape.cols * shape.rows;
    var pages = Math.ceil(tiles.length / perPage);
    if (page >= pages) { page = 0; }
    var away = {};
    var shownAgain = false;
    for (var i = 0; i < tiles.length; i++) {
      var off = pages > 1 && Math.floor(i / perPage) !== page;
      if (tiles[i].hidden !== off) {
        tiles[i].hidden = off;  // not a class: htmx settling restores those
        shownAgain = shownAgain || !off;
      }
      away[tiles[i].id] = off;
    }
    var tileHeight = Math.min((h - gap * (shape.rows - 1)) / shape.rows, Math.max(h / 3, minTile));
    var tileWidth = (w - gap * (shape.cols - 1)) / shape.cols;
    setVar(grid, "--cols", String(shape.cols));
    setVar(grid, "--tile-h", tileHeight + "px");
    var font = Math.max(vmin * READ_VMIN * 1.1, Math.min(tileHeight * 0.3, tileWidth * 0.08));
    setVar(grid, "--tile-font", font + "px");
    var pager = document.getElementById("pager");
    if (pager) {
      write(pager, pages > 1 ? word("agents_page", "agents page %(page)s of %(pages)s",
                                    { page: page + 1, pages: pages }) : "");
    }
    if (grid.getAttribute("data-pages") !== String(pages)) { grid.setAttribute("data-pages", String(pages)); }
    fitted = { grid: grid, children: grid.childElementCount, away: away };
    if (shownAgain) { tickWithin(grid); }  // their words were left alone while hidden
    if (!callsWatcher) { fitCalls(); }  // without a ResizeObserver the calls' room is not watched
  }

  function placeTiles(ids) {
    // Tiles swapped in place (one agent changed): each on its place's page, no layout read.
    // Anything else (a tile more or less, a tile not seen before): fit the grid anew.
    var grid = document.getElementById("agents");
    if (!fitted || fitted.grid !== grid || !grid ||
        grid.childElementCount !== fitted.children) { fit(); return; }
    for (var i = 0; i < ids.length; i++) {
      var tile = document.getElementById(ids[i]);
      var off = fitted.away[ids[i]];
      if (!tile || off === undefined) { fit(); return; }
      if (tile.hidden !== off) { tile.hidden = off; }
    }
  }

  var ALERT_ROWS = 2;

  function fitAlerts() {
    // The strip under the header takes two rows at most; the alerts past them are counted.
    var strip = document.getElementById("alerts");
    if (!strip || !document.body.classList.contains("tv")) { return; }
    var items = strip.querySelectorAll(".alert-item");
    var old = strip.querySelector(".alert-more");
    if (old) { old.remove(); }
    var i;
    for (i = 0; i < items.length; i++) { items[i].hidden = false; }
    if (!items.length) { return; }
    var top = items[0].offsetTop, rowHeight = items[0].offsetHeight;
    var limit = top + ALERT_ROWS * rowHeight + 2;
    var over = function () {
      var last = strip.lastElementChild;
      return last && last.offsetTop + last.offsetHeight > limit;
    };
    if (!over()) { return; }
    var more = document.createElement("p");
    more.className = "alert-more";
    strip.appendChild(more);
    var hidden = 0;
    for (i = items.length - 1; i >= 0 && over(); i--) {
      items[i].hidden = true;
      hidden += 1;
      more.textContent = word("more_alerts", "+ %(n)s more alerts", { n: hidden });
    }
  }

  function fitCalls() {
    // A TV's call lists show the calls that fit, oldest first, and say how many more there
    // are: never a row cut in half at the bottom of the box.
    var box = document.getElementById("calls");
    if (!box || !document.body.classList.contains("tv")) { return; }
    var rows = box.querySelectorAll(".call");
    var stale = box.querySelectorAll(".call-more");
    var i;
    for (i = 0; i < rows.length; i++) { if (rows[i].hidden) { rows[i].hidden = false; } }
    for (i = 0; i < stale.length; i++) { stale[i].remove(); }
    var over = box.scrollHeight - box.clientHeight;
    if (over <= 1) { tickWithin(box); return; }
    var lists = box.querySelectorAll(".call-list");
    var left = [], hidden = [];
    for (i = 0; i < lists.length; i++) {
      left.push(Array.prototype.slice.call(lists[i].querySelectorAll(".call")));
      hidden.push(0);
    }
    var rowHeight = rows.length ? rows[0].offsetHeight : 0;
    over += rowHeight;  // room for the "+ N more" line itself
    // Take rows off the end of the longest list first, until what is left fits. The heights
    // are read before any row is hidden (one layout), the rows hidden after.
    var gone = [];
    while (over > 0) {
      var longest = -1, most = 0;
      for (i = 0; i < left.length; i++) {
        if (left[i].length > most) { most = left[i].length; longest = i; }
      }
      if (longest < 0) { break; }
      var last = left[longest].pop();
      over -= last.offsetHeight;
      gone.push(last);
      hidden[longest] += 1;
    }
    for (i = 0; i < gone.length; i++) {
      gone[i].hidden = true;  // an attribute: htmx's settling puts the class back as it came
    }
    var mores = [];
    for (i = 0; i < lists.length; i++) {
      var more = document.createElement("li");
      more.className = "call-more";
      lists[i].appendChild(more);
      mores.push(more);
    }
    var say = function () {
      for (var k = 0; k < lists.length; k++) {
        mores[k].hidden = !hidden[k];
        mores[k].textContent = word("more_calls", "+ %(n)s more", { n: hidden[k] });
      }
    };
    say();
    // The estimate above reserved one line for the counts; two lists may need two: take rows
    // off until the box holds what is left (a layout each, rarely more than one or two).
    while (box.scrollHeight - box.clientHeight > 1) {
      var fullest = -1, rowsLeft = 0;
      for (i = 0; i < left.length; i++) {
        if (left[i].length > rowsLeft) { rowsLeft = left[i].length; fullest = i; }
      }
      if (fullest < 0) { break; }
      left[fullest].pop().hidden = true;
      hidden[fullest] += 1;
      say();
    }
    tickWithin(box);  // rows shown again say their durations now
  }

  function nextPage() {
    var grid = document.getElementById("agents");
    var pages = grid ? parseInt(grid.getAttribute("data-pages") || "1", 10) : 1;
    if (pages > 1) {
      page = (page + 1) % pages;
      fit();
    }
  }

  // -- supervisor view: sorting, pending actions ---------------------------------------------

  var sortKey = "name";
  var pending = {};  // "agent:code" or "call:id" → {kind, key, expect, deadline, what}

  function sortRows() {
    var rows = document.getElementById("agent-rows");
    if (!rows) { return; }
    var items = Array.prototype.slice.call(rows.querySelectorAll(".sup-row"));
    var numeric = sortKey === "since" || sortKey === "answered";
    items.sort(function (a, b) {
      var x = a.getAttribute("data-sort-" + sortKey) || "";
      var y = b.getAttribute("data-sort-" + sortKey) || "";
      if (numeric) { return parseFloat(x) - parseFloat(y); }
      return x < y ? -1 : (x > y ? 1 : 0);
    });
    for (var i = 0; i < items.length; i++) { rows.appendChild(items[i]); }
    var heads = document.querySelectorAll(".sup-head .sort");
    for (var j = 0; j < heads.length; j++) {
      // On the column header, where ARIA allows it (not on its button).
      var header = heads[j].parentElement;
      if (heads[j].getAttribute("data-sort") === sortKey) {
        header.setAttribute("aria-sort", "ascending");
      } else {
        header.removeAttribute("aria-sort");
      }
    }
  }

  function rowOf(kind, key) {
    var selector = kind === "call" ? "li[data-callid]" : ".sup-row[data-agent]";
    var attr = kind === "call" ? "data-callid" : "data-agent";
    var rows = document.querySelectorAll(selector);
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getAttribute(attr) === key) { return rows[i]; }
    }
    return null;
  }

  function reached(p, row) {
    // What the data shows once the action happened: a state, the row gone or there, a queue
    // joined or left, a call moved (gone from here, or to another queue or agent).
    var expect = p.expect;
    if (expect === "gone") { return !row; }
    if (expect === "present") { return !!row; }
    if (expect === "moved") {
      return !row || row.getAttribute("data-queue") !== p.queue || row.getAttribute("data-agent") !== p.agent;
    }
    if (!row) { return false; }
    var queues = " " + (row.getAttribute("data-sort-queues") || "") + " ";
    var wanted = expect.slice(expect.indexOf(":") + 1).split(" ").filter(function (q) { return q; });
    if (expect.indexOf("in:") === 0) {
      return wanted.every(function (q) { return queues.indexOf(" " + q + " ") >= 0; });
    }
    if (expect.indexOf("out:") === 0) {
      return wanted.every(function (q) { return queues.indexOf(" " + q + " ") < 0; });
    }
    return row.getAttribute("data-state") === expect;
  }

  var WAITING = {paused: ["pausing", "pausing…"], available: ["unpausing", "unpausing…"]};
  var FAILED = {paused: ["pause_failed", "pause did not happen"],
                available: ["unpause_failed", "unpause did not happen"]};
  var WAIT = ["waiting", "waiting to see it happen…"], FAIL = ["failed", "did not happen"];

  function showPending() {
    // QueueMetrics' OK only means "sent to the PBX": say so until the stream shows the change,
    // or say it did not happen once the deadline passes.
    var now = Date.now();
    var status = document.getElementById("action-status");
    for (var id in pending) {
      if (!Object.prototype.hasOwnProperty.call(pending, id)) { continue; }
      var p = pending[id];
      var row = rowOf(p.kind, p.key);
      var note = row && row.querySelector(".pending");
      var result = status && status.querySelector('[data-pending-key="' + CSS.escape(p.key) + '"]');
      if (reached(p, row)) {
        delete pending[id];
        if (note) { note.hidden = true; }
        if (result) {
          result.textContent = word("done", "%(what)s: done, the data shows it.", { what: p.what });
          result.classList.add("seen");
        }
        continue;
      }
      var late = now > p.deadline;
      var said = late ? (FAILED[p.expect] || FAIL) : (WAITING[p.expect] || WAIT);
      var text = word(said[0], said[1]);
      if (note) {
        note.hidden = false;
        note.textContent = text;
        note.classList.toggle("failed", late);
      }
      if (result && late) {
        result.textContent = word("not_seen", "%(what)s: not seen in the data after %(seconds)s s; it did not happen.",
                                  { what: p.what, seconds: p.seconds });
        result.classList.add("failed");
      }
    }
  }

  document.addEventListener("htmx:afterSwap", function (evt) {
    var result = evt.detail && evt.detail.target && evt.detail.target.querySelector("[data-pending-key]");
    if (result) {
      var sup = document.querySelector(".sup");
      var seconds = sup ? parseFloat(sup.getAttribute("data-confirm-timeout") || "20") : 20;
      var kind = result.getAttribute("data-pending-kind") || "agent";
      var key = result.getAttribute("data-pending-key");
      var row = rowOf(kind, key);
      pending[kind + ":" + key] = {
        kind: kind,
        key: key,
        expect: result.getAttribute("data-expect"),
        what: result.getAttribute("data-what") || "",
        queue: row ? row.getAttribute("data-queue") : null,
        agent: row ? row.getAttribute("data-agent") : null,
        seconds: seconds,
        deadline: Date.now() + seconds * 1000
      };
      var panel = document.getElementById("action-panel");
      if (panel) { panel.innerHTML = ""; }
      showPending();
    }
  });

  document.addEventListener("click", function (evt) {
    var target = evt.target;
    if (!(target instanceof Element)) { return; }
    var sort = target.closest(".sup-head .sort");
    if (sort) {
      sortKey = sort.getAttribute("data-sort") || "name";
      sortRows();
    }
    var ask = target.closest("[data-ask]");
    if (ask) {
      // Asked on the page, not in a browser dialog: the real button is in the step shown now.
      var form = ask.closest("form");
      var input = form && form.querySelector("input[required]");
      if (input && !input.reportValidity()) { return; }
      var step = form && form.querySelector(".confirm-step");
      if (step) { step.hidden = false; ask.hidden = true; var yes = step.querySelector("[type=submit]"); if (yes) { yes.focus(); } }
    }
    var unask = target.closest("[data-unask]");
    if (unask) {
      var f = unask.closest("form");
      var s2 = f && f.querySelector(".confirm-step");
      var a2 = f && f.querySelector("[data-ask]");
      if (s2) { s2.hidden = true; }
      if (a2) { a2.hidden = false; a2.focus(); }
    }
    if (target.closest("[data-close-panel]")) {
      var panel = document.getElementById("action-panel");
      if (panel) { panel.innerHTML = ""; }
    }
  });

  document.addEventListener("htmx:sseMessage", function () {
    lastMessage = Date.now();
  });
  document.addEventListener("htmx:sseOpen", function () {
    lastMessage = Date.now();
    document.body.classList.remove("stream-down");
  });
  // One message carries several fragments: the work after them is done once per frame, not
  // once per fragment, and only the work they call for. An agent's tile swapped in place
  // takes its place's page (no layout read); the grid is fitted anew only when its tiles
  // or the alerts above it changed (its room changing is seen by a ResizeObserver), the call
  // lists only when their rows did (or their box changed size); the words written by the
  // script only in what was swapped in.
  var pendingFrame = false;
  var needFit = false, needCalls = false, needSort = false;
  var placed = [];     // ids of agent tiles swapped in place
  var swappedIn = [];  // elements swapped in, whose words are written before they are seen
  var SWAPPED_MAX = 300;  // a page in the background (no frames) keeps flags, not elements

  function schedule() {
    if (!pendingFrame) {
      pendingFrame = true;
      window.requestAnimationFrame(afterSwaps);
    }
  }

  function touches(target, id) {
    // The swap's target is the element with this id, is in it, or holds it.
    if (target.id === id || target.closest("#" + id)) { return true; }
    var el = document.getElementById(id);
    return !!el && target.contains(el);
  }

  function inPlace(target, fragment) {
    // An element replaced by one with its id (outerHTML), not rows put around or into it.
    var first = fragment && fragment.firstElementChild;
    return !!first && !!target.id && first.id === target.id;
  }

  function swapping(target, fragment) {
    // What a fragment about to be swapped calls for, from the element it replaces or goes
    // into (it may be a whole tile or list, a row, or a single figure in a tile).
    if (!(target instanceof Element)) { needFit = needCalls = needSort = true; return; }
    ticked = null;
    if (touches(target, "agents")) {
      var tile = target.closest(".agent");
      if (tile === target && inPlace(target, fragment)) {
        if (placed.indexOf(target.id) < 0) { placed.push(target.id); }
      } else if (!tile) {
        needFit = true;  // a tile more or less, or the grid itself
      }  // else a piece of one tile: its size is the grid's, its page the same
    }
    if (touches(target, "alerts")) { needFit = true; }  // the strip's rows are the grid's room
    if (touches(target, "calls")) { needCalls = true; }
    if (!callsWatcher && (target.closest(".queue") || touches(target, "totals"))) {
      needCalls = true;  // the calls' room changes with the tiles above them too
    }
    if (touches(target, "agent-rows")) { needSort = true; }
  }

  function remember(el) {
    if (!(el instanceof Element) || el.hasAttribute("sse-swap") || el === document.body) { return; }
    if (swappedIn.length >= SWAPPED_MAX) { swappedIn.overflow = true; return; }
    if (swappedIn.indexOf(el) < 0) { swappedIn.push(el); }
  }

  function afterSwaps() {
    pendingFrame = false;
    readFreshness();
    watchCalls();
    var ids = placed, els = swappedIn;
    placed = [];
    swappedIn = [];
    if (needFit) { needFit = false; fit(); } else if (ids.length) { placeTiles(ids); }
    if (needCalls) { needCalls = false; fitCalls(); }
    if (needSort) { needSort = false; sortRows(); }
    showPending();
    if (els.overflow) { tick(); return; }
    for (var i = 0; i < els.length; i++) { if (els[i].isConnected) { tickWithin(els[i]); } }
  }

  document.addEventListener("htmx:oobBeforeSwap", function (evt) {
    var d = evt.detail || {};
    swapping(d.target || evt.target, d.fragment);
    schedule();
  });
  document.addEventListener("htmx:beforeSwap", function (evt) {
    // A request's answer put into the page (supervisor panels): its words, and what it holds.
    var target = evt.detail && evt.detail.target;
    if (target instanceof Element) { swapping(target, null); schedule(); }
  });
  // htmx tells every element swapped in so far, after each fragment: each is taken once.
  document.addEventListener("htmx:oobAfterSwap", function (evt) { remember(evt.target); });
  document.addEventListener("htmx:afterSwap", function (evt) { remember(evt.target); schedule(); });

  // -- screens: commands from /screens, and what the TV tells of itself ---------------------

  var screenSort = "name";
  function sortScreens() {
    var body = document.getElementById("screen-rows");
    if (!body) { return; }
    var rows = Array.prototype.slice.call(body.querySelectorAll("tr[data-screen]"));
    var numeric = screenSort !== "name" && screenSort !== "build";
    rows.sort(function (a, b) {
      var x = a.getAttribute("data-sort-" + screenSort) || "";
      var y = b.getAttribute("data-sort-" + screenSort) || "";
      if (numeric) { return parseFloat(x) - parseFloat(y); }
      return x < y ? -1 : (x > y ? 1 : 0);
    });
    for (var i = 0; i < rows.length; i++) { body.appendChild(rows[i]); }
    var heads = document.querySelectorAll(".screens-table .sort");
    for (var j = 0; j < heads.length; j++) {
      var th = heads[j].closest("th");
      if (!th) { continue; }
      if (heads[j].getAttribute("data-sort") === screenSort) { th.setAttribute("aria-sort", "ascending"); }
      else { th.removeAttribute("aria-sort"); }
    }
  }
  document.addEventListener("click", function (evt) {
    var t = evt.target instanceof Element ? evt.target.closest(".screens-table .sort") : null;
    if (t) { screenSort = t.getAttribute("data-sort") || "name"; sortScreens(); }
  });
  document.addEventListener("htmx:oobAfterSwap", function (evt) {
    if (evt.target instanceof Element && evt.target.id === "screens") { sortScreens(); }
  });

  function screenCommand(el) {
    // A frame of a playlist acts for the whole screen: the top page is the screen.
    var top = window.top || window;
    var kind = el.getAttribute("data-command");
    if (kind === "reload") { top.location.reload(); return; }
    if (kind === "assign") { top.location.assign("/tv"); return; }
    if (kind === "identify") {
      var box = top.document.getElementById("screen-identify");
      if (!box) { return; }
      box.textContent = el.getAttribute("data-name") || "";
      box.hidden = false;
      clearTimeout(box.wbTimer);
      box.wbTimer = setTimeout(function () { box.hidden = true; }, 10000);
    }
  }

  function hello() {
    if (!document.body.classList.contains("tv") || window.top !== window) { return; }
    var body = JSON.stringify({
      viewport: window.innerWidth + "x" + window.innerHeight,
      dpr: window.devicePixelRatio || 1,
      build: document.body.getAttribute("data-build") || ""
    });
    try {
      fetch("/tv/hello", {method: "POST", body: body, credentials: "same-origin",
                          headers: {"Content-Type": "application/json"}}).catch(function () {});
    } catch (e) { /* an old browser: the registry goes without it */ }
  }
  var helloTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(helloTimer);
    helloTimer = setTimeout(hello, 1000);
  });
  document.addEventListener("DOMContentLoaded", hello);

  document.addEventListener("htmx:oobAfterSwap", function (evt) {
    // detail.target is the element swapped out; the event's own target is one swapped in
    // (htmx tells each of them again after every later fragment of the message: act once).
    var el = evt.target;
    var out = evt.detail && evt.detail.target;
    if (!(el instanceof Element) || !out || out.id !== el.id) { return; }
    if (el.id === "screen-command") { screenCommand(el); }
    if (el.id === "reload" && el.getAttribute("data-reload") === "now") {
      // The board this page shows was redesigned: lay it out anew.
      window.location.reload();
    }
  });
  window.addEventListener("resize", fit);
  // The grid's room changes without a resize too (an alert strip or a message appears, the
  // tiles above it grow): lay the tiles out again whenever it does. Its parent is watched,
  // since a full refresh replaces the grid itself.
  // The grid itself is watched too (its box can change while its parent's does not: seen on
  // board pages), and again whenever a full refresh puts a new grid in.
  var watcher = window.ResizeObserver ? new ResizeObserver(function () { fit(); }) : null;
  var watched = null;
  function watchGrid() {
    var grid = document.getElementById("agents");
    if (!watcher || !grid || grid === watched) { return; }
    if (watched) { watcher.unobserve(watched); }
    watcher.observe(grid);
    watched = grid;
  }
  // The call lists' box likewise: the rows that fit are counted again when its size changes
  // (the tiles above it grew, a strip appeared), not after every change of a tile.
  var callsWatcher = window.ResizeObserver ? new ResizeObserver(function () { fitCalls(); }) : null;
  var callsWatched = null;
  function watchCalls() {
    var box = document.getElementById("calls");
    if (!callsWatcher || !box || box === callsWatched) { return; }
    if (callsWatched) { callsWatcher.unobserve(callsWatched); }
    callsWatcher.observe(box);  // its first report (at once) fits the new box
    callsWatched = box;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var grid = document.getElementById("agents");
    if (watcher && grid && grid.parentElement) { watcher.observe(grid.parentElement); }
    watchGrid();
    watchCalls();
  });
  document.addEventListener("DOMContentLoaded", function () {
    readFreshness();
    fit();
    sortRows();
    tick();
    window.setInterval(tick, 1000);
    window.setInterval(showPending, 1000);
    window.setInterval(nextPage, PAGE_SECONDS * 1000);
  });
})();
