/* Steelman comment widget: <div id="steelman-thread"></div> + <script src=".../embed.js" data-steelman="BASE">.
 * Every piece of user text goes into the page through textContent, never parsed as markup. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-steelman]");
  if (!script) { return; }
  var base = (script.getAttribute("data-steelman") || new URL(script.src).origin).replace(/\/+$/, "");
  var uri = script.getAttribute("data-steelman-uri") || (location.origin + location.pathname);
  var title = script.getAttribute("data-steelman-title") || document.title || "";
  var root = document.getElementById(script.getAttribute("data-steelman-target") || "steelman-thread");
  if (!root) { return; }
  var KEY = "steelman:tokens";

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = base + "/static/embed.css";
  document.head.appendChild(css);

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    for (var i = 3; i < arguments.length; i++) { if (arguments[i]) { node.appendChild(arguments[i]); } }
    return node;
  }
  function tokens() {
    try { return JSON.parse(localStorage.getItem(KEY) || "{}"); } catch (e) { return {}; }
  }
  function saveToken(id, token) {
    var all = tokens();
    all[id] = { token: token, uri: uri };
    try { localStorage.setItem(KEY, JSON.stringify(all)); } catch (e) { /* private mode */ }
  }
  function api(method, path, body, token) {
    var headers = {};
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    if (token) { headers["X-Steelman-Token"] = token; }
    return fetch(base + path, {
      method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) {
          var err = new Error((data.error && data.error.message) || ("HTTP " + r.status));
          err.status = r.status;
          throw err;
        }
        return data;
      });
    });
  }
  function requestId() {
    var a = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function when(ts) { return new Date(ts * 1000).toLocaleString(); }

  /* The words the judge points to, highlighted. */
  function highlighted(text, because) {
    var p = el("p", "sm-text"), at = 0;
    var spans = (because || []).slice().sort(function (a, b) { return a.start - b.start; });
    spans.forEach(function (e) {
      if (e.start < at || e.end > text.length || e.start >= e.end) { return; }
      if (e.start > at) { p.appendChild(document.createTextNode(text.slice(at, e.start))); }
      var m = el("mark", "sm-" + String(e.points_to).toLowerCase(), text.slice(e.start, e.end));
      m.title = e.points_to + ": " + e.reason;
      p.appendChild(m);
      at = e.end;
    });
    if (at < text.length) { p.appendChild(document.createTextNode(text.slice(at))); }
    return p;
  }

  /* The self-check: show where the reply sits and let the author choose. */
  function nudge(box, text, judgement, onEdit, onPost) {
    box.textContent = "";
    box.className = "sm-nudge";
    box.appendChild(el("p", "sm-level", "This reads as " + judgement.label + "."));
    box.appendChild(highlighted(text, judgement.because));
    var why = el("ul", "sm-why");
    (judgement.because || []).forEach(function (e) {
      why.appendChild(el("li", null, "“" + e.text + "” → " + e.points_to + ": " + e.reason));
    });
    box.appendChild(why);
    box.appendChild(el("p", "sm-suggestion", judgement.suggestion));
    var edit = el("button", "sm-edit", "Edit my reply");
    edit.type = "button";
    edit.onclick = function () { box.textContent = ""; box.className = ""; onEdit(); };
    var post = el("button", "sm-anyway", "Post anyway");
    post.type = "button";
    post.onclick = function () { box.textContent = ""; box.className = ""; onPost(); };
    box.appendChild(el("div", "sm-choices", null, edit, post));
  }

  function selfCheck(text, parentId, box, onEdit, send) {
    api("POST", "/api/comments/check", { uri: uri, parent_id: parentId, text: text })
      .then(function (r) {
        if (r.nudge) { nudge(box, text, r.judgement, onEdit, function () { send(true); }); }
        else { send(false); }
      })
      .catch(function (err) {
        if (err.status === 422 || err.status === 429) { box.className = "sm-error"; box.textContent = err.message; }
        else { send(false); }  /* the judge is down: fail open */
      });
  }

  function form(parentId, onDone, initial) {
    var f = el("form", "sm-form");
    var text = el("textarea", "sm-input");
    text.name = "text"; text.rows = 4; text.required = true;
    text.placeholder = parentId ? "Write a reply" : "Join the discussion";
    text.value = initial || "";
    var name = el("input", "sm-name"); name.name = "author"; name.placeholder = "Name (optional)";
    var email = el("input", "sm-email"); email.name = "email"; email.type = "email";
    email.placeholder = "Email (optional, never shown)";
    var box = el("div");
    var submit = el("button", "sm-submit", "Post"); submit.type = "submit";
    f.appendChild(text);
    if (initial === undefined) { f.appendChild(el("div", "sm-who", null, name, email)); }
    f.appendChild(box);
    f.appendChild(submit);
    f.onsubmit = function (ev) {
      ev.preventDefault();
      var body = text.value;
      if (!body.trim()) { return; }
      submit.disabled = true;
      selfCheck(body, parentId, box, function () { submit.disabled = false; text.focus(); }, function (anyway) {
        onDone({ text: body, author: name.value, email: email.value, posted_anyway: anyway }, box)
          .then(function () { submit.disabled = false; })
          .catch(function (err) { submit.disabled = false; box.className = "sm-error"; box.textContent = err.message; });
      });
    };
    return f;
  }

  function post(parentId) {
    return function (data) {
      var rid = requestId();
      return api("POST", "/api/comments", {
        uri: uri, title: title, parent_id: parentId, text: data.text, author: data.author,
        email: data.email, posted_anyway: data.posted_anyway, request_id: rid
      }).then(function (r) { saveToken(r.comment.id, r.token); return load(); });
    };
  }

  var STATUS = {
    pending: "Only you can see this: it is waiting for a moderator.",
    rejected: "Only you can see this: a moderator did not publish it.",
  };

  function render(c, children, mine) {
    var node = el("article", "sm-comment sm-" + c.status + (c.moderator ? " sm-moderator" : ""));
    node.id = "sm-c" + c.id;
    var head = el("header", "sm-head", null, el("b", "sm-author", c.author || "Anonymous"),
      el("time", "sm-time", when(c.created)));
    /* Only the server sets "moderator": a poster naming themselves "mod" gets no badge. */
    if (c.moderator) { head.insertBefore(el("span", "sm-badge", "Moderator"), head.firstChild.nextSibling); }
    node.appendChild(head);
    if (c.status === "deleted") { node.appendChild(el("p", "sm-text sm-gone", "Deleted by its author.")); }
    else { node.appendChild(el("p", "sm-text", c.text)); }
    if (c.note) { node.appendChild(el("p", "sm-note", c.note)); }
    if (mine && STATUS[c.status]) {
      var own = el("div", "sm-own", null, el("p", null, STATUS[c.status]));
      if (c.reason) { own.appendChild(el("p", "sm-reason", "Reason: " + c.reason)); }
      var hist = el("ol", "sm-history");
      (c.history || []).forEach(function (h) {
        hist.appendChild(el("li", null, when(h.at) + " · " + h.actor + " · " + h.action + (h.reason ? " · " + h.reason : "")));
      });
      own.appendChild(hist);
      node.appendChild(own);
    }
    var actions = el("div", "sm-actions"), slot = el("div", "sm-slot");
    if (c.status === "published") {
      var reply = el("button", "sm-reply", "Reply"); reply.type = "button";
      reply.onclick = function () { slot.textContent = ""; slot.appendChild(form(c.id, post(c.id))); };
      actions.appendChild(reply);
    }
    if (mine && c.status !== "deleted" && c.status !== "rejected" && Date.now() / 1000 < c.edit_until) {
      var edit = el("button", "sm-editbtn", "Edit"); edit.type = "button";
      edit.onclick = function () {
        slot.textContent = "";
        slot.appendChild(form(c.parent_id, function (data) {
          return api("PUT", "/api/comments/" + c.id, { text: data.text, posted_anyway: data.posted_anyway }, mine).then(load);
        }, c.text));
      };
      var del = el("button", "sm-delete", "Delete"); del.type = "button";
      del.onclick = function () { api("DELETE", "/api/comments/" + c.id, undefined, mine).then(load); };
      actions.appendChild(edit); actions.appendChild(del);
    }
    node.appendChild(actions);
    node.appendChild(slot);
    var kids = el("div", "sm-children");
    children.forEach(function (k) { kids.appendChild(k); });
    node.appendChild(kids);
    return node;
  }

  // The thread comes a page at a time (oldest first); "More comments" asks for one page more.
  var pages = 1;
  function fetchThread(cursor, left, got) {
    var path = "/api/threads?uri=" + encodeURIComponent(uri) + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
    return api("GET", path).then(function (page) {
      page.comments = got.concat(page.comments);
      return page.next && left > 1 ? fetchThread(page.next, left - 1, page.comments) : page;
    });
  }

  function load() {
    var mine = tokens();
    return fetchThread(null, pages, []).then(function (thread) {
      var seen = {}, extra = [];
      thread.comments.forEach(function (c) { seen[c.id] = true; });
      Object.keys(mine).forEach(function (id) {
        if (mine[id].uri === uri) {
          extra.push(api("GET", "/api/comments/" + id + "/author", undefined, mine[id].token).catch(function () { return null; }));
        }
      });
      return Promise.all(extra).then(function (own) {
        var all = thread.comments.slice(), byId = {};
        own.forEach(function (c) {
          if (!c || c.status === "withdrawn") { return; }
          if (seen[c.id]) { all = all.map(function (x) { return x.id === c.id ? c : x; }); }
          else { all.push(c); }
        });
        all.sort(function (a, b) { return a.created - b.created || a.id - b.id; });
        all.forEach(function (c) { byId[c.id] = { c: c, kids: [] }; });
        var top = [];
        all.forEach(function (c) {
          var slot = c.parent_id && byId[c.parent_id] ? byId[c.parent_id].kids : top;
          slot.push(byId[c.id]);
        });
        function build(n) {
          return render(n.c, n.kids.map(build), mine[n.c.id] ? mine[n.c.id].token : null);
        }
        root.textContent = "";
        var list = el("div", "sm-thread");
        top.forEach(function (n) { list.appendChild(build(n)); });
        root.appendChild(el("h3", "sm-count", thread.count + " comments"));
        if (thread.closed) { root.appendChild(el("p", "sm-closed", "This discussion is closed.")); }
        else { root.appendChild(form(null, post(null))); }
        root.appendChild(list);
        if (thread.next) {
          var more = el("button", "sm-more", "More comments"); more.type = "button";
          more.onclick = function () { pages += 1; load(); };
          root.appendChild(more);
        }
      });
    }).catch(function (err) {
      root.textContent = "";
      root.appendChild(el("p", "sm-error", "Comments could not be loaded: " + err.message));
    });
  }

  root.classList.add("steelman");
  load();
})();
