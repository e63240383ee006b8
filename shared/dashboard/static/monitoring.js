// orderflow monitoring: the BPMN diagram with counts or one instance's path, and
// the dashboard's live figures. Data comes from data- attributes and JSON only.
"use strict";

var MAX_REFRESHES = 1800; // an hour of 2 s ticks, then the page needs a reload

function getJson(url) {
  return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok || response.redirected) {
        throw new Error("stopped: " + response.status);
      }
      return response.json();
    });
}

function readJsonAttribute(el, name) {
  try {
    return JSON.parse(el.getAttribute(name) || "[]");
  } catch (err) {
    return [];
  }
}

function setField(root, name, value) {
  root.querySelectorAll('[data-field="' + name + '"]').forEach(function (el) {
    if (el.textContent !== String(value)) {
      el.textContent = String(value);
    }
  });
}

// Draws the model, greys out the other service's pool, and resolves to the viewer.
function drawDiagram(box) {
  if (typeof window.BpmnJS !== "function") {
    box.textContent = "The diagram viewer did not load.";
    return Promise.reject(new Error("no BpmnJS"));
  }
  var pool = readJsonAttribute(box, "data-pool");
  var viewer = new window.BpmnJS({ container: box });
  return fetch(box.getAttribute("data-model-url"), { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("model: " + response.status);
      }
      return response.text();
    })
    .then(function (xml) {
      return viewer.importXML(xml);
    })
    .then(function () {
      var loading = box.querySelector(".diagram-loading");
      if (loading) {
        loading.remove();
      }
      markOwnPool(viewer, pool);
      viewer.get("canvas").zoom("fit-viewport", "auto");
      box.setAttribute("data-ready", "");
      return viewer;
    });
}

function processOf(element) {
  var bo = element.businessObject;
  if (!bo) {
    return null;
  }
  if (bo.processRef) {
    return bo.processRef.id;
  }
  while (bo && bo.$type !== "bpmn:Process") {
    bo = bo.$parent;
  }
  return bo ? bo.id : null;
}

function markOwnPool(viewer, pool) {
  var own = null;
  var registry = viewer.get("elementRegistry");
  var canvas = viewer.get("canvas");
  registry.forEach(function (element) {
    if (pool.indexOf(element.id) !== -1 && own === null) {
      own = processOf(element);
    }
  });
  registry.forEach(function (element) {
    if (element.type === "label" || element === canvas.getRootElement()) {
      return;
    }
    if (processOf(element) !== own) {
      canvas.addMarker(element.id, "other-pool");
    }
  });
}

function badge(kind, title) {
  var el = document.createElement("span");
  el.className = "count-badge " + kind;
  el.title = title;
  return el;
}

// The dashboard: counts on the elements, live figures, and a click lists instances.
function runDashboard(root, box) {
  var liveUrl = root.getAttribute("data-live-url");
  var every = Number(root.getAttribute("data-refresh-ms")) || 2000;
  var badges = {};
  var viewer = null;
  var lastFigures = null;
  var selected = null;

  function paintCounts(elements) {
    if (viewer === null) {
      return;
    }
    var overlays = viewer.get("overlays");
    var registry = viewer.get("elementRegistry");
    Object.keys(elements).forEach(function (id) {
      var counts = elements[id];
      if (!registry.get(id)) {
        return;
      }
      if (!badges[id]) {
        badges[id] = {
          waiting: badge("waiting", "waiting here now"),
          passed: badge("passed", "passed through"),
        };
        overlays.add(id, "counts", { position: { bottom: 10, left: -10 }, html: badges[id].waiting });
        overlays.add(id, "counts", { position: { top: -10, right: 10 }, html: badges[id].passed });
      }
      badges[id].waiting.textContent = String(counts.waiting);
      badges[id].waiting.hidden = counts.waiting === 0;
      badges[id].passed.textContent = String(counts.passed);
      badges[id].passed.hidden = counts.passed === 0;
    });
  }

  function showFigures(figures) {
    lastFigures = figures;
    var summary = figures.summary;
    setField(root, "active", summary.active);
    setField(root, "ended", summary.ended);
    setField(root, "failed", summary.failed_deliveries);
    var overdue = 0;
    Object.keys(summary.tasks).forEach(function (name) {
      setField(root, "task-open:" + name, summary.tasks[name].open);
      setField(root, "task-overdue:" + name, summary.tasks[name].overdue);
      overdue += summary.tasks[name].overdue;
    });
    setField(root, "overdue-total", overdue);
    Object.keys(summary.states).forEach(function (name) {
      setField(root, "state:" + name, summary.states[name]);
    });
    root.querySelectorAll("[data-hot=failed]").forEach(function (el) {
      el.classList.toggle("hot", summary.failed_deliveries > 0);
    });
    var at = root.querySelector('[data-field="at"]');
    if (at) {
      at.textContent = new Date(summary.at).toLocaleTimeString();
    }
    paintCounts(figures.elements);
    if (selected !== null) {
      showCounts(selected);
    }
  }

  function showCounts(id) {
    var panel = document.getElementById("element-panel");
    var counts = (lastFigures && lastFigures.elements[id]) || { waiting: 0, passed: 0 };
    setField(panel, "element-waiting", counts.waiting);
    setField(panel, "element-passed", counts.passed);
  }

  function selectElement(element) {
    var panel = document.getElementById("element-panel");
    var canvas = viewer.get("canvas");
    if (selected !== null) {
      canvas.removeMarker(selected, "selected-element");
    }
    selected = element.id;
    canvas.addMarker(selected, "selected-element");
    var name = (element.businessObject && element.businessObject.name) || element.id;
    setField(panel, "element-name", name);
    setField(panel, "element-id", element.id);
    showCounts(element.id);
    var link = panel.querySelector('[data-field="element-link"]');
    link.href = root.getAttribute("data-instances-page") + "?element=" + encodeURIComponent(element.id);
    var list = panel.querySelector(".element-instances");
    list.textContent = "";
    panel.hidden = false;
    var url = root.getAttribute("data-instances-url") + "?limit=10&element=" + encodeURIComponent(element.id);
    getJson(url)
      .then(function (page) {
        list.textContent = "";
        if (page.items.length === 0) {
          var none = document.createElement("li");
          none.className = "muted";
          none.textContent = "No instance is at this element now.";
          list.appendChild(none);
        }
        page.items.forEach(function (row) {
          var item = document.createElement("li");
          var a = document.createElement("a");
          a.href = root.getAttribute("data-instance-page") + row.id;
          a.className = "mono";
          a.textContent = row.id.slice(0, 8);
          item.appendChild(a);
          item.appendChild(document.createTextNode(" " + row.customer_id + " · " + row.state.replace(/_/g, " ") + " · placed " + new Date(row.placed_at).toLocaleString()));
          list.appendChild(item);
        });
      })
      .catch(function () {
        list.textContent = "";
      });
  }

  var done = 0;
  var timer = null;
  function tick() {
    if (document.hidden) {
      return;
    }
    done += 1;
    if (done > MAX_REFRESHES) {
      window.clearInterval(timer);
      return;
    }
    getJson(liveUrl).then(showFigures).catch(function (err) {
      if (String(err.message).indexOf("stopped") === 0) {
        window.clearInterval(timer);
      }
    });
  }

  var pool = box ? readJsonAttribute(box, "data-pool") : [];
  var drawn = box ? drawDiagram(box) : Promise.resolve(null);
  drawn
    .then(function (v) {
      viewer = v;
      if (viewer !== null) {
        viewer.get("eventBus").on("element.click", function (event) {
          if (pool.indexOf(event.element.id) !== -1) {
            selectElement(event.element);
          }
        });
      }
    })
    .catch(function () {
      // The figures below the diagram still refresh without it.
    })
    .then(function () {
      tick();
      timer = window.setInterval(tick, every);
    });
}

// One instance: the elements it passed and where its token is now.
function paintPath(box) {
  var visited = readJsonAttribute(box, "data-visited");
  var current = box.getAttribute("data-current");
  drawDiagram(box).then(function (viewer) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    visited.forEach(function (id) {
      if (registry.get(id)) {
        canvas.addMarker(id, "visited");
      }
    });
    registry.forEach(function (element) {
      var bo = element.businessObject;
      if (element.type === "bpmn:SequenceFlow" && bo.sourceRef && bo.targetRef &&
          visited.indexOf(bo.sourceRef.id) !== -1 && visited.indexOf(bo.targetRef.id) !== -1) {
        canvas.addMarker(element.id, "visited");
      }
    });
    if (current && registry.get(current)) {
      canvas.addMarker(current, "current");
    }
  }).catch(function () {
    // The message is already in the box.
  });
}

document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("diagram");
  var dashboard = document.getElementById("dashboard");
  if (dashboard) {
    runDashboard(dashboard, box);
  } else if (box && box.getAttribute("data-mode") === "path") {
    paintPath(box);
  }
});
