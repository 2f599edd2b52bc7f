/* The words the page's scripts write, in the page's language: a JSON object in #wb-words,
 * from the message catalogue (templates/partials/words.html). A key missing there falls back
 * to the English the script passes. Placeholders are %(name)s, as in the catalogue. */
(function () {
  "use strict";
  var words = null;
  window.wbWord = function (key, english, values) {
    if (words === null) {
      var el = document.getElementById("wb-words");
      try { words = el ? JSON.parse(el.textContent) : {}; } catch (e) { words = {}; }
    }
    var text = words[key] || english;
    return text.replace(/%\((\w+)\)s/g, function (all, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  };
})();
