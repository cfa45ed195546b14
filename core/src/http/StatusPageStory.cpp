#include "http/StatusPageStory.h"

namespace watchdog {

// Every value reaches the DOM through el() (textContent and visible()); nothing is parsed as HTML.
const char* const statusPageStoryScript = R"JS(
  var historyLimit = 20000;
  var eventWords = {
    warning: "warning, countdown started", cancelled: "countdown cancelled", failover: "failover",
    limited: "held back by the limit", verified: "backup verified on air", not_verified: "backup not on air",
    recovered: "recovered", failback: "failback", failback_cancelled: "failback cancelled",
    acknowledged: "acknowledged", maintenance_started: "maintenance started", maintenance_ended: "maintenance ended"
  };

  function span(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    if (seconds < 90) return seconds + " s";
    if (seconds < 5400) return Math.round(seconds / 60) + " min";
    if (seconds < 172800) return Math.floor(seconds / 3600) + " h " + Math.round(seconds % 3600 / 60) + " min";
    return Math.round(seconds / 86400) + " days";
  }
  function clock(iso, withDay, seconds) {
    var d = new Date(iso);
    var parts = { hour: "2-digit", minute: "2-digit", hour12: false };
    if (withDay) parts.weekday = "short";
    if (seconds) parts.second = "2-digit";
    return d.toLocaleString([], parts);
  }
  function eventWord(e) {
    if (e.type === "outcome") return (e.ok ? "backup started: " : "remedy failed: ") + (e.action || "remedy");
    if (e.type === "acknowledged") return "acknowledged" + (e.by ? " by " + e.by : "");
    return eventWords[e.type] || e.type;
  }

  // The chart's time axis: the chosen window, but starting at the first result when history is
  // shorter, so a minute of history fills the chart instead of a sliver at its right edge.
  function axisRange(records, now) {
    var start = now - windowMs();
    if (records.length < historyLimit) {
      var first = Infinity;
      records.forEach(function (r) { if (r.kind === "result") first = Math.min(first, Date.parse(r.time)); });
      if (first !== Infinity && first > start) start = first;
    }
    return { start: Math.min(start, now - 60000), end: now };
  }
  function axisLabels(range) {
    var axis = el("div", { "class": "axis", "data-axis-start": new Date(range.start).toISOString(),
                           "data-axis-end": new Date(range.end).toISOString() });
    var withDay = range.end - range.start > 86400000;
    for (var i = 0; i <= 4; i++) axis.appendChild(el("span", null, clock(range.start + (range.end - range.start) * i / 4, withDay)));
    return axis;
  }
  function windowButtons() {
    var bar = document.getElementById("windows");
    bar.textContent = "";
    bar.appendChild(el("span", null, "History: "));
    ["1h", "24h", "7d"].forEach(function (w) {
      var q = new URLSearchParams(location.search);
      q.set("window", w);
      var a = el("a", { href: "?" + q.toString(), "class": "window", "data-window": w }, w.replace(/(\d+)/, "$1 "));
      if (w === windowParam) a.setAttribute("aria-current", "page");
      bar.appendChild(a);
    });
  }

  function uptimeLine(u) {
    function pct(t) { return t.percent === null ? "no results" : t.percent + " %"; }
    var left = u.week.maintenance_seconds > 0 ? ", maintenance " + span(u.week.maintenance_seconds) + " left out" : "";
    return el("div", { "class": "uptime", "data-day": u.day.percent === null ? "" : String(u.day.percent),
                       "data-week": u.week.percent === null ? "" : String(u.week.percent) },
              "uptime 24 h " + pct(u.day) + " \u00b7 7 d " + pct(u.week) + left +
              (u.oldest && Date.now() - Date.parse(u.oldest) < 6.5 * 86400000 ? " (history since " + clock(u.oldest, true) + ")" : ""));
  }
  function addUptime(timeline) {
    if (!timeline) return;
    var cards = {};
    document.querySelectorAll("section.card").forEach(function (card) { cards[card.getAttribute("data-check")] = card; });
    timeline.uptime.forEach(function (u) {
      var card = cards[visible(u.check)];
      if (card) card.insertBefore(uptimeLine(u), card.querySelector("svg.chart"));
    });
  }

  function renderTimeline(timeline, error) {
    var box = document.getElementById("timeline");
    box.textContent = "";
    if (error) { box.appendChild(el("p", { "class": "dim" }, "timeline unavailable: " + error)); return; }
    if (timeline.incidents.length === 0) box.appendChild(el("p", { "class": "dim" }, "No incidents in the last 7 days."));
    timeline.incidents.forEach(function (inc) {
      var art = el("article", { "class": "incident", "data-incident": inc.incident, "data-rule": inc.rule,
                                "data-open": String(inc.open), "data-outcome": inc.outcome });
      var head = "rule " + inc.rule + " \u00b7 " + clock(inc.started, true) + " \u00b7 " +
                 (inc.open ? "open for " : "lasted ") + span(inc.duration_seconds) + " \u00b7 " + inc.outcome;
      art.appendChild(el("h4", null, head));
      if (inc.acknowledged)
        art.appendChild(el("div", { "class": "ack" }, "acknowledged by " + inc.acknowledged.by + " at " + clock(inc.acknowledged.at) +
                                                      (inc.acknowledged.reason ? ": " + inc.acknowledged.reason : "")));
      var list = el("ol", { "class": "events" });
      var t0 = Date.parse(inc.started);
      inc.events.forEach(function (e) {
        var li = el("li", { "data-type": e.type });
        li.appendChild(el("span", { "class": "at" }, clock(e.time, false, true)));
        li.appendChild(el("span", { "class": "offset" }, "+" + span((Date.parse(e.time) - t0) / 1000)));
        li.appendChild(el("b", { "class": "what" }, eventWord(e)));
        li.appendChild(el("span", { "class": "text" }, e.summary));
        list.appendChild(li);
      });
      art.appendChild(list);
      box.appendChild(art);
    });
    timeline.maintenance.forEach(function (e) {
      var p = el("div", { "class": "maintenance-event", "data-type": e.type });
      p.appendChild(el("span", { "class": "at" }, clock(e.time, true)));
      p.appendChild(el("b", { "class": "what" }, eventWord(e) + (e.by ? " by " + e.by : "")));
      p.appendChild(el("span", { "class": "text" }, e.summary));
      box.appendChild(p);
    });
  }

  function renderMaintenance(status) {
    var box = document.getElementById("maintenance");
    box.textContent = "";
    var windows = status.maintenance || [];
    document.getElementById("end-maintenance").hidden = windows.length === 0;
    windows.forEach(function (m) {
      box.appendChild(el("div", { "class": "maintenance", "data-scope": m.scope },
        "In maintenance: " + (m.scope === "pipeline" ? "the whole pipeline" : m.scope + " " + m.id) + " until " +
        new Date(m.until).toLocaleString() + (m.reason ? " \u2013 " + m.reason : "")));
    });
    var scope = document.getElementById("m-scope");
    var chosen = scope.value;
    scope.textContent = "";
    scope.appendChild(el("option", { value: "" }, "the whole pipeline"));
    status.checks.forEach(function (c) { scope.appendChild(el("option", { value: "check:" + c.id }, "check " + c.id)); });
    status.rules.forEach(function (r) { scope.appendChild(el("option", { value: "rule:" + r.id }, "rule " + r.id)); });
    scope.value = chosen;
  }

  // The Incident cell of a rule: who acknowledged it, or the button to do so.
  function incidentCell(r) {
    var td = el("td", { "class": "incident-cell" });
    if (r.acknowledged) {
      td.appendChild(el("span", { "class": "ack" }, "acknowledged by " + r.acknowledged.by +
                                                    (r.acknowledged.reason ? ": " + r.acknowledged.reason : "")));
    } else if (r.incident) {
      var b = el("button", { type: "button", "class": "ack-button", "data-rule": r.id }, "Acknowledge");
      b.addEventListener("click", function () {
        var reason = prompt("Acknowledge the incident of rule " + r.id + ". Reason (optional):", "");
        if (reason === null) return;
        operate("ack", { rule: r.id, reason: reason }, "acknowledged the incident of " + r.id);
      });
      td.appendChild(b);
    }
    return td;
  }

  // POST with the token kept for the session; asked for once when the server wants one.
  function operate(path, body, done) {
    function send(retried) {
      var headers = { "Content-Type": "application/json" };
      var token = sessionStorage.getItem(tokenKey);
      if (token) headers.Authorization = "Bearer " + token;
      return fetch(path, { method: "POST", headers: headers, body: JSON.stringify(body), cache: "no-store" }).then(function (r) {
        if (r.status === 401 && !retried) {
          var t = prompt("This status server needs its token:", "");
          if (!t) throw new Error("a token is needed");
          sessionStorage.setItem(tokenKey, t);
          return send(true);
        }
        return r.json().catch(function () { return {}; }).then(function (j) {
          if (!r.ok) throw new Error(j.error || ("HTTP " + r.status));
          showBanner(done);
          document.getElementById("banner").className = "shown ok";
          timelineFetched = 0;
          return refresh();
        });
      });
    }
    return send(false).catch(function (e) { showBanner(path + ": " + e.message); });
  }

  function setUpOperatorButtons() {
    var form = document.getElementById("maintenance-form");
    document.getElementById("start-maintenance").addEventListener("click", function () { form.hidden = !form.hidden; });
    document.getElementById("end-maintenance").addEventListener("click", function () {
      operate("maintenance", { end: true }, "maintenance ended");
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var body = { duration: document.getElementById("m-duration").value };
      var scope = document.getElementById("m-scope").value;
      if (scope.indexOf("check:") === 0) body.check = scope.slice(6);
      if (scope.indexOf("rule:") === 0) body.rule = scope.slice(5);
      var reason = document.getElementById("m-reason").value;
      if (reason) body.reason = reason;
      form.hidden = true;
      operate("maintenance", body, "maintenance started for " + body.duration);
    });
  }

  var timelineFetched = 0, lastTimeline = null;
  // /timeline reads a week of history: fetched at most once a minute.
  function fetchTimeline() {
    if (lastTimeline && Date.now() - timelineFetched < 60000) return Promise.resolve(lastTimeline);
    return fetchJson("timeline").then(function (t) { lastTimeline = t; timelineFetched = Date.now(); return t; });
  }
)JS";

}  // namespace watchdog
