// orderflow UI: local times, inbox refresh, and the reason a decision needs.
"use strict";

function showLocalTimes(root) {
  root.querySelectorAll("time[data-utc]:not([data-local])").forEach(function (el) {
    var moment = new Date(el.getAttribute("datetime"));
    if (isNaN(moment.getTime())) {
      return;
    }
    el.title = el.textContent;
    el.textContent = moment.toLocaleString(undefined, {
      dateStyle: "medium",
      timeStyle: "short",
    });
    el.setAttribute("data-local", "");
  });
}

// Re-fetches the inbox's counts and table and swaps them in when they changed.
// It stops after a bounded number of refreshes and whenever the session ends.
function refreshInbox(box) {
  var url = box.getAttribute("data-refresh-url");
  var every = Number(box.getAttribute("data-refresh-ms")) || 5000;
  var maxRefreshes = 720;
  var done = 0;
  var last = null;
  var timer = null;

  function stop() {
    if (timer !== null) {
      window.clearInterval(timer);
      timer = null;
    }
  }

  function tick() {
    if (document.hidden) {
      return;
    }
    done += 1;
    if (done > maxRefreshes) {
      stop();
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok || response.redirected) {
          stop();
          return null;
        }
        return response.text();
      })
      .then(function (html) {
        if (html === null || html === last) {
          return;
        }
        last = html;
        box.innerHTML = html;
        showLocalTimes(box);
      })
      .catch(function () {
        // The service may be restarting; the next tick tries again.
      });
  }

  timer = window.setInterval(tick, every);
}

function requireReason(form) {
  var needs = (form.getAttribute("data-needs-reason") || "").split(" ");
  var comment = form.querySelector("textarea[name=comment]");
  function update() {
    var chosen = form.querySelector("input[name=decision]:checked");
    comment.required = chosen !== null && needs.indexOf(chosen.value) !== -1;
  }
  form.addEventListener("change", update);
  update();
}

document.addEventListener("DOMContentLoaded", function () {
  showLocalTimes(document);
  var box = document.getElementById("inbox-live");
  if (box) {
    refreshInbox(box);
  }
  document.querySelectorAll("form[data-needs-reason]").forEach(requireReason);
});
