/* Moderation shortcuts: j/k move between items. In the queue, a approves, r writes a reason to
 * reject, b bans (after a confirmation); in the heating-up view, s slows the thread down (or lifts
 * slow mode), c closes it (after a confirmation), n writes a note (Enter posts it). Keys typed
 * into a field are left alone. */
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll(".queue-item"));
  if (!items.length) { return; }
  var at = 0;
  function focus(i) {
    at = Math.max(0, Math.min(items.length - 1, i));
    items.forEach(function (el, k) { el.classList.toggle("focused", k === at); });
    items[at].focus();
  }
  document.addEventListener("keydown", function (ev) {
    var tag = (ev.target && ev.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    var item = items[at];
    function press(selector) { var el = item.querySelector(selector); if (el) { el.click(); } }
    function field(selector) { var el = item.querySelector(selector); if (el) { ev.preventDefault(); el.select(); } }
    if (ev.key === "j") { focus(at + 1); }
    else if (ev.key === "k") { focus(at - 1); }
    else if (ev.key === "a") { press("button.approve"); }
    else if (ev.key === "r") { field("input[name=reason]"); }
    else if (ev.key === "b") {
      if (item.querySelector("button.ban") && window.confirm("Ban this author and reject the comment?")) { press("button.ban"); }
    }
    else if (ev.key === "s") { press("button.slow"); }
    else if (ev.key === "c") {
      if (item.querySelector("button.close") && window.confirm("Close this thread to new comments?")) { press("button.close"); }
    }
    else if (ev.key === "n") { field("input[name=text]"); }
    else { return; }
  });
  focus(0);
})();
