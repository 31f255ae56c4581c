// Fairdesk keyboard shortcuts. Every page works without this file; it only adds keys.
// Elements opt in with data-key="<keys>" (a click or focus), rows with data-row.
(function () {
  "use strict";
  var pending = "";
  var pendingTimer = null;

  function typing(event) {
    var t = event.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("[data-row]")); }

  function moveRow(step) {
    var all = rows();
    if (!all.length) { return; }
    var index = all.findIndex(function (r) { return r.classList.contains("current"); });
    if (index >= 0) { all[index].classList.remove("current"); }
    index = Math.max(0, Math.min(all.length - 1, index + step));
    all[index].classList.add("current");
    var link = all[index].querySelector("a");
    if (link) { link.focus(); }
  }

  function activate(keys) {
    var target = document.querySelector('[data-key="' + keys + '"]');
    if (!target) { return false; }
    if (target.tagName === "A" || target.tagName === "BUTTON") { target.click(); } else { target.focus(); }
    return true;
  }

  function toggleHelp() {
    var help = document.getElementById("shortcuts");
    if (!help) {
      help = document.createElement("div");
      help.id = "shortcuts";
      help.setAttribute("role", "dialog");
      help.setAttribute("aria-label", "Keyboard shortcuts");
      var items = [["?", "show or hide this list"], ["j / k", "next / previous ticket in a list"],
        ["Enter", "open the selected ticket"], ["n", "take the next ticket in the queue"],
        ["r", "reply"], ["i", "internal note"], ["t", "take the ticket (assign it to yourself)"], ["Ctrl+Enter", "send the form you are typing in"],
        ["/", "search"], ["g q", "go to the queue"], ["Esc", "close this list"]];
      var list = document.createElement("dl");
      items.forEach(function (item) {
        var dt = document.createElement("dt"); var kbd = document.createElement("kbd");
        kbd.textContent = item[0]; dt.appendChild(kbd);
        var dd = document.createElement("dd"); dd.textContent = item[1];
        list.appendChild(dt); list.appendChild(dd);
      });
      var title = document.createElement("h2"); title.textContent = "Keyboard shortcuts";
      help.appendChild(title); help.appendChild(list);
      document.body.appendChild(help);
      return;
    }
    help.hidden = !help.hidden;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && typing(event)) {
      var form = event.target.form;
      if (form) { event.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.submit(); }
      return;
    }
    if (event.key === "Escape") {
      var open = document.getElementById("shortcuts");
      if (open) { open.hidden = true; }
      if (typing(event)) { event.target.blur(); }
      return;
    }
    if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var key = event.key;
    if (pending) {
      var combined = pending + " " + key;
      pending = "";
      clearTimeout(pendingTimer);
      if (activate(combined)) { event.preventDefault(); }
      return;
    }
    if (key === "?") { event.preventDefault(); toggleHelp(); return; }
    if (key === "j") { event.preventDefault(); moveRow(1); return; }
    if (key === "k") { event.preventDefault(); moveRow(-1); return; }
    if (key === "g") { pending = "g"; pendingTimer = setTimeout(function () { pending = ""; }, 1500); return; }
    if (activate(key)) { event.preventDefault(); }
  });
}());
