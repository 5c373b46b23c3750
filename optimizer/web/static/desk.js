// 驻村选派工作台: live progress of a solve, and filtering the plan table. No libraries.
(function () {
  "use strict";
  var STATUS = { queued: "排队中", running: "求解中", done: "已完成", stopped: "已停止",
                 interrupted: "已中断", failed: "失败" };
  function pct(x) { return x === null || x === undefined ? "—" : (100 * x).toFixed(2) + "%"; }

  function follow(el) {
    var url = el.getAttribute("data-status");
    function tick() {
      fetch(url, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          var filled = s.posts_filled === null ? "—" : s.posts_filled;
          var need = s.posts_required === null ? "—" : s.posts_required;
          document.getElementById("p-filled").textContent = filled + " / " + need;
          document.getElementById("p-gap").textContent = pct(s.gap);
          document.getElementById("p-time").textContent = s.elapsed === null ? "—" : s.elapsed.toFixed(1) + " 秒";
          document.getElementById("p-msg").textContent = s.message || "";
          document.getElementById("status").textContent = STATUS[s.status] || s.status;
          if (s.posts_filled !== null && s.posts_required) {
            document.getElementById("p-bar").style.width = (100 * s.posts_filled / s.posts_required) + "%";
          }
          if (s.status === "queued" || s.status === "running") { setTimeout(tick, 1000); }
          else { window.location.reload(); }
        })
        .catch(function () { setTimeout(tick, 3000); });
    }
    tick();
  }

  function filter(input) {
    var table = document.getElementById(input.getAttribute("data-table"));
    var role = document.getElementById("f-role");
    function apply() {
      var q = input.value.trim().toLowerCase();
      var r = role ? role.value : "";
      var shown = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var text = row.textContent.toLowerCase();
        var ok = (!q || text.indexOf(q) >= 0) && (!r || row.getAttribute("data-role") === r);
        row.classList.toggle("hidden", !ok);
        if (ok) { shown += 1; }
      });
      var count = document.getElementById("f-count");
      if (count) { count.textContent = shown; }
    }
    input.addEventListener("input", apply);
    if (role) { role.addEventListener("change", apply); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var prog = document.getElementById("progress");
    if (prog) { follow(prog); }
    var f = document.getElementById("f-text");
    if (f) { filter(f); }
  });
})();
