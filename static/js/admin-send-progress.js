// While an issue goes out, fetch its send page every few seconds and swap in the state and the
// counts: no full reload (which would move focus and reset what the editor was reading), and
// screen readers hear one short status line, not the whole table.
(function () {
  "use strict";
  var state = document.getElementById("send-state");
  if (!state || !state.dataset.refreshEvery) return;
  var every = Number(state.dataset.refreshEvery) * 1000;
  var ids = ["send-state", "send-progress"];

  function refresh() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        ids.forEach(function (id) {
          var now = document.getElementById(id);
          var next = fresh.getElementById(id);
          if (now && next && now.innerHTML !== next.innerHTML) now.innerHTML = next.innerHTML;
        });
        var nextState = fresh.getElementById("send-state");
        if (nextState && nextState.dataset.refreshEvery) window.setTimeout(refresh, every);
      })
      .catch(function () {
        window.setTimeout(refresh, every * 3); // a hiccup: try again, less often
      });
  }
  window.setTimeout(refresh, every);
})();
