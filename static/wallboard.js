/* Wallboard page behaviour: ticking durations, the freshness line, self-healing.
 *
 * Durations tick here, once a second, from QueueMetrics' timestamps: "now" on QueueMetrics'
 * clock is the browser's clock corrected by the server's (data-server-now, refreshed by every
 * heartbeat) and by the QueueMetrics clock offset the poller measured. A TV whose own clock is
 * wrong therefore still shows right durations.
 */
(function () {
  "use strict";

  var SILENCE_STALE_S = 40;      // no event or heartbeat for this long: say the stream is down
  var SILENCE_RELOAD_S = 180;    // ... and for this long: reload the whole page
  var skew = 0;                  // server clock minus browser clock, seconds
  var qmOffset = 0;              // QueueMetrics clock minus server clock, seconds
  var lastMessage = Date.now();
  var pageBuild = document.body.getAttribute("data-build") || "";

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

  function clockText(epoch) {
    var d = new Date((epoch - skew) * 1000);
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  function readFreshness() {
    var f = document.getElementById("freshness");
    if (!f) { return; }
    var sNow = parseFloat(f.getAttribute("data-server-now"));
    if (!isNaN(sNow) && f.getAttribute("data-read") !== "1") {
      skew = sNow - browserNow();
      f.setAttribute("data-read", "1");
    }
    var offset = parseFloat(f.getAttribute("data-qm-offset"));
    qmOffset = isNaN(offset) ? 0 : offset;
    var build = f.getAttribute("data-build");
    if (build && pageBuild && build !== pageBuild) {
      window.location.reload();
    }
    document.body.classList.toggle("data-stale", f.getAttribute("data-stale") === "true");
  }

  function tick() {
    var now = qmNow();
    var nodes = document.querySelectorAll("[data-since]");
    for (var i = 0; i < nodes.length; i++) {
      var since = parseFloat(nodes[i].getAttribute("data-since"));
      if (!isNaN(since) && since > 0) { nodes[i].textContent = duration(now - since); }
    }
    var agos = document.querySelectorAll("[data-ago]");
    for (var j = 0; j < agos.length; j++) {
      var at = parseFloat(agos[j].getAttribute("data-ago"));
      if (!isNaN(at)) {
        var age = Math.max(0, Math.round(serverNow() - at));
        agos[j].textContent = age <= 1 ? "just now" : age + " s ago";
      }
    }
    var ats = document.querySelectorAll("[data-at]");
    for (var k = 0; k < ats.length; k++) {
      ats[k].textContent = clockText(parseFloat(ats[k].getAttribute("data-at")));
    }
    var clock = document.getElementById("clock");
    if (clock) { clock.textContent = clockText(serverNow()); }
    var silent = (Date.now() - lastMessage) / 1000;
    document.body.classList.toggle("stream-down", silent > SILENCE_STALE_S);
    if (silent > SILENCE_RELOAD_S) { window.location.reload(); }
  }

  var MIN_TILE_VMIN = 4.2;        // below this a name is not readable from across the room
  var PAGE_SECONDS = 10;
  var page = 0;

  function layout(count, w, h, gap, maxRows) {
    // The column count whose tiles come closest to a readable 3.2:1 shape.
    var best = { cols: 1, rows: count, score: Infinity };
    for (var cols = 1; cols <= count; cols++) {
      var rows = Math.min(Math.ceil(count / cols), maxRows);
      var tileW = (w - gap * (cols - 1)) / cols;
      var tileH = (h - gap * (rows - 1)) / rows;
      var score = Math.abs(Math.log(tileW / tileH / 3.2));
      if (score < best.score) { best = { cols: cols, rows: rows, score: score }; }
    }
    return best;
  }

  function fit() {
    // Auto-size the agent grid to its space first; when even small tiles do not fit, show
    // pages of tiles that rotate. Never a scrollbar.
    var grid = document.getElementById("agents");
    if (!grid) { return; }
    var tiles = grid.querySelectorAll(".agent");
    var count = Math.max(1, tiles.length);
    var gap = parseFloat(getComputedStyle(grid).rowGap) || 0;
    var w = grid.clientWidth, h = grid.clientHeight;
    var minTile = Math.min(window.innerWidth, window.innerHeight) * MIN_TILE_VMIN / 100;
    var maxRows = Math.max(1, Math.floor((h + gap) / (minTile + gap)));
    var shape = layout(count, w, h, gap, maxRows);
    var perPage = shape.cols * shape.rows;
    var pages = Math.ceil(tiles.length / perPage);
    if (page >= pages) { page = 0; }
    for (var i = 0; i < tiles.length; i++) {
      var onPage = Math.floor(i / perPage) === page;
      tiles[i].classList.toggle("off-page", pages > 1 && !onPage);
    }
    var tileHeight = Math.min((h - gap * (shape.rows - 1)) / shape.rows, h / 3);
    var tileWidth = (w - gap * (shape.cols - 1)) / shape.cols;
    grid.style.setProperty("--cols", String(shape.cols));
    grid.style.setProperty("--tile-h", tileHeight + "px");
    grid.style.setProperty("--tile-font", Math.min(tileHeight * 0.3, tileWidth * 0.075) + "px");
    var pager = document.getElementById("pager");
    if (pager) {
      pager.textContent = pages > 1 ? "agents page " + (page + 1) + " of " + pages : "";
    }
    grid.setAttribute("data-pages", String(pages));
  }

  function nextPage() {
    var grid = document.getElementById("agents");
    var pages = grid ? parseInt(grid.getAttribute("data-pages") || "1", 10) : 1;
    if (pages > 1) {
      page = (page + 1) % pages;
      fit();
    }
  }

  document.addEventListener("htmx:sseMessage", function () {
    lastMessage = Date.now();
  });
  document.addEventListener("htmx:sseOpen", function () {
    lastMessage = Date.now();
    document.body.classList.remove("stream-down");
  });
  document.addEventListener("htmx:oobAfterSwap", function (evt) {
    var target = evt.detail && evt.detail.target;
    readFreshness();
    if (target && (target.id === "agents" || target.classList.contains("agent"))) { fit(); }
    tick();
  });
  window.addEventListener("resize", fit);
  document.addEventListener("DOMContentLoaded", function () {
    readFreshness();
    fit();
    tick();
    window.setInterval(tick, 1000);
    window.setInterval(nextPage, PAGE_SECONDS * 1000);
  });
})();
