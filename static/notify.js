/* Browser notifications of red alerts, on the supervisor page, once the user allowed them
 * (the "Notify me of red alerts" button asks: browsers only ask on a click).
 *
 * An alert is notified once per id, when it is red and active (not yet acknowledged or
 * snoozed), whether it turned red while the page was open or before: the ids already notified
 * are kept for the tab's session, so a reload or a later update of the list does not repeat one.
 */
(function () {
  "use strict";
  var KEY = "wallboard.notified";
  var button = document.getElementById("notify-red");
  var memory = {};

  function notified() {
    try { return JSON.parse(window.sessionStorage.getItem(KEY) || "{}"); }
    catch (e) { return memory; }
  }

  function remember(ids) {
    memory = ids;
    try { window.sessionStorage.setItem(KEY, JSON.stringify(ids)); } catch (e) { /* memory */ }
  }

  function supported() { return typeof window.Notification === "function"; }

  function showButton() {
    if (!button) { return; }
    if (!supported() || Notification.permission === "denied") {
      button.hidden = true;
      return;
    }
    var on = Notification.permission === "granted";
    button.disabled = on;
    button.textContent = on ? window.wbWord("notify_on", "Red alerts notify you")
                            : window.wbWord("notify_ask", "Notify me of red alerts");
  }

  function check() {
    if (!supported() || Notification.permission !== "granted") { return; }
    var ids = notified();
    var items = document.querySelectorAll("#alerts [data-alert-id]");
    for (var i = 0; i < items.length; i++) {
      var el = items[i];
      var id = el.getAttribute("data-alert-id");
      if (el.getAttribute("data-level") !== "red" || el.getAttribute("data-state") !== "active" ||
          ids[id]) { continue; }
      ids[id] = Date.now();
      try {
        var what = el.getAttribute("data-what") || window.wbWord("a_queue", "a queue");
        new Notification(window.wbWord("red_alert", "Red alert: %(what)s", { what: what }),
                         { tag: "wallboard-alert-" + id,
                           body: window.wbWord("red_alert_body", "Open the supervisor page to acknowledge it.") });
      } catch (e) { /* a browser that only notifies through a service worker: nothing to do */ }
    }
    remember(ids);
  }

  if (button) {
    button.addEventListener("click", function () {
      if (!supported()) { return; }
      Notification.requestPermission().then(function () { showButton(); check(); });
    });
  }
  document.addEventListener("htmx:oobAfterSwap", function (evt) {
    var target = evt.detail && evt.detail.target;
    if (target && target.id === "alerts") { check(); }
  });
  showButton();
  check();
})();
