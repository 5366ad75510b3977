/* Moderation queue shortcuts: j/k move between items, a approves, r writes a reason to reject,
 * b bans (after a confirmation). Keys typed into a field are left alone. */
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
    if (ev.key === "j") { focus(at + 1); }
    else if (ev.key === "k") { focus(at - 1); }
    else if (ev.key === "a") { item.querySelector("button.approve").click(); }
    else if (ev.key === "r") { ev.preventDefault(); item.querySelector("input[name=reason]").select(); }
    else if (ev.key === "b") {
      if (window.confirm("Ban this author and reject the comment?")) { item.querySelector("button.ban").click(); }
    } else { return; }
  });
  focus(0);
})();
