#include "http/StatusPage.h"

#include "http/StatusPageStory.h"

namespace watchdog {

namespace {

// Everything is built with createElement/textContent: labels and summaries come from checks (an
// Icecast stream title, an error text) and must never be parsed as HTML. visible() shows control
// characters, line separators and bidi overrides in such text as escapes, so none can hide or
// reorder what the page says.
const char* const page = R"HTML(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>encoder-watchdog</title>
<style>
  :root { --pass: #1e8e3e; --fail: #d93025; --unknown: #80868b; --error: #e37400; --bg: #f6f7f9; --card: #fff; --ink: #202124; --dim: #5f6368; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--ink); }
  header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 1em; padding: 12px 20px; background: #24292f; color: #fff; }
  header h1 { font-size: 18px; margin: 0; }
  header .meta { color: #c9d1d9; font-size: 13px; }
  header .meta.down { color: #ff7b72; font-weight: 600; }
  main { padding: 16px 20px; max-width: 1200px; }
  #banner { display: none; margin: 0 0 12px; padding: 8px 12px; border-radius: 6px; background: #fce8e6; color: #a50e0e; }
  #banner.shown { display: block; }
  #token-form { display: none; margin: 0 0 12px; }
  #token-form.shown { display: block; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 12px; }
  .card { background: var(--card); border-radius: 8px; padding: 12px 14px; box-shadow: 0 1px 2px rgba(0,0,0,.12); border-left: 6px solid var(--unknown); }
  .card[data-state="passing"] { border-left-color: var(--pass); }
  .card[data-state="failing"] { border-left-color: var(--fail); }
  .card h2 { font-size: 15px; margin: 0 0 2px; display: flex; justify-content: space-between; gap: 8px; }
  .badge { font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 10px; color: #fff; background: var(--unknown); text-transform: uppercase; }
  .badge.passing { background: var(--pass); } .badge.failing { background: var(--fail); }
  .badge.flapping { background: #e37400; margin-left: 4px; }
  .id, .since { color: var(--dim); font-size: 12px; }
  .summary { margin: 6px 0; word-break: break-word; }
  .value { font-size: 20px; font-weight: 600; }
  svg.chart { width: 100%; height: 70px; display: block; margin-top: 6px; background: #fafafa; border-radius: 4px; }
  table { border-collapse: collapse; background: var(--card); border-radius: 8px; overflow: hidden; box-shadow: 0 1px 2px rgba(0,0,0,.12); }
  th, td { text-align: left; padding: 6px 12px; border-bottom: 1px solid #eee; }
  h3 { margin: 20px 0 8px; font-size: 15px; }
  #banner.ok { background: #e6f4ea; color: #137333; }
  .toolbar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 0 0 12px; }
  .toolbar a.window { padding: 2px 10px; border-radius: 12px; background: #e8eaed; color: var(--ink); text-decoration: none; }
  .toolbar a.window[aria-current="page"] { background: #1a73e8; color: #fff; }
  .toolbar .spacer { flex: 1; }
  button { font: inherit; padding: 3px 10px; border-radius: 6px; border: 1px solid #dadce0; background: #fff; cursor: pointer; }
  #maintenance-form { margin: 0 0 12px; padding: 8px 12px; background: var(--card); border-radius: 8px; }
  .maintenance { margin: 0 0 8px; padding: 6px 12px; border-radius: 6px; background: #fef7e0; color: #7a4f01; }
  .axis { display: flex; justify-content: space-between; color: var(--dim); font-size: 11px; }
  .uptime { color: var(--dim); font-size: 12px; }
  .incident { background: var(--card); border-radius: 8px; padding: 8px 14px; margin: 0 0 10px; box-shadow: 0 1px 2px rgba(0,0,0,.12);
              border-left: 6px solid var(--pass); }
  .incident[data-open="true"] { border-left-color: var(--fail); }
  .incident h4 { margin: 0 0 4px; font-size: 14px; }
  .incident .ack, td .ack { color: #1a73e8; }
  ol.events { margin: 4px 0; padding-left: 18px; }
  ol.events li span, ol.events li b, .maintenance-event span, .maintenance-event b { margin-right: 8px; }
  .at, .offset, .dim { color: var(--dim); }
  .maintenance-event { margin: 0 0 6px; }
</style>
</head>
<body>
<header>
  <h1 id="pipeline">encoder-watchdog</h1>
  <span class="meta" id="meta">loading&hellip;</span>
  <span class="meta" id="updated"></span>
  <span class="meta" id="ha" hidden></span>
</header>
<main>
  <div id="banner" role="alert"></div>
  <form id="token-form">
    <label>This status server needs a token: <input id="token" type="password" autocomplete="off"></label>
    <button type="submit">Use token</button>
  </form>
  <div id="maintenance"></div>
  <div class="toolbar">
    <span id="windows"></span>
    <span class="spacer"></span>
    <button type="button" id="start-maintenance">Maintenance&hellip;</button>
    <button type="button" id="end-maintenance" hidden>End maintenance</button>
  </div>
  <form id="maintenance-form" hidden>
    <label>Maintenance of <select id="m-scope"></select></label>
    <label>for <select id="m-duration"><option>30m</option><option selected>1h</option><option>2h</option><option>4h</option><option>8h</option></select></label>
    <label>reason <input id="m-reason" maxlength="200"></label>
    <button type="submit">Start</button>
  </form>
  <div class="grid" id="checks"></div>
  <h3>Rules</h3>
  <table><thead><tr><th>Rule</th><th>State</th><th>Next step at</th><th>Incident</th></tr></thead><tbody id="rules"></tbody></table>
  <h3>Incidents, last 7 days</h3>
  <div id="timeline"></div>
</main>
<script>
"use strict";
(function () {
  var params = new URLSearchParams(location.search);
  var refreshSeconds = Math.max(2, Number(params.get("refresh")) || 15);
  var windowParam = params.get("window") || "1h";
  var tokenKey = "encoder-watchdog-token";
  var errors = [];

  function recordError(text) {
    errors.push(text);
    document.body.setAttribute("data-errors", String(errors.length));
    showBanner(text);
  }
  window.addEventListener("error", function (e) { recordError("script error: " + e.message); });
  window.addEventListener("unhandledrejection", function (e) { recordError("script error: " + (e.reason && e.reason.message || e.reason)); });

  var hash = new URLSearchParams(location.hash.replace(/^#/, ""));
  if (hash.get("token")) {
    sessionStorage.setItem(tokenKey, hash.get("token"));
    history.replaceState(null, "", location.pathname + location.search);
  }

  function visible(text) {
    return String(text).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, function (c) {
      return "\\u" + ("000" + c.charCodeAt(0).toString(16)).slice(-4);
    });
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { node.setAttribute(k, visible(attrs[k])); });
    if (text !== undefined && text !== null) node.textContent = visible(text);
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function showBanner(text) {
    var b = document.getElementById("banner");
    b.textContent = visible(text);
    b.className = text ? "shown" : "";
  }
  function ago(iso) {
    if (!iso) return "never";
    var s = Math.round((Date.now() - Date.parse(iso)) / 1000);
    if (s < 0) s = 0;
    if (s < 90) return s + " s ago";
    if (s < 5400) return Math.round(s / 60) + " min ago";
    if (s < 172800) return Math.round(s / 3600) + " h ago";
    return Math.round(s / 86400) + " days ago";
  }
  function formatValue(v, unit) {
    if (v === null || v === undefined) return "";
    var n = Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 10) / 10;
    return n + (unit ? " " + unit : "");
  }

  function fetchJson(url) {
    var headers = {};
    var token = sessionStorage.getItem(tokenKey);
    if (token) headers.Authorization = "Bearer " + token;
    return fetch(url, { headers: headers, cache: "no-store" }).then(function (r) {
      if (r.status === 401) { document.getElementById("token-form").className = "shown"; throw new Error("a token is needed"); }
      if (!r.ok) return r.text().then(function (t) { throw new Error(url + ": HTTP " + r.status + " " + t.trim()); });
      return r.json();
    });
  }

  // A line of the values the check measured over the window and, under it, one mark per result
  // coloured by pass/fail/error.
  function chart(records, windowStart, windowEnd) {
    var w = 300, h = 70, strip = 10, top = 4, bottom = h - strip - 4;
    var root = svg("svg", { "class": "chart", viewBox: "0 0 " + w + " " + h, preserveAspectRatio: "none", role: "img" });
    var span = Math.max(1, windowEnd - windowStart);
    function x(t) { return Math.max(0, Math.min(w, (t - windowStart) / span * w)); }
    var values = records.filter(function (r) { return typeof r.value === "number"; });
    if (values.length > 0) {
      var lo = Math.min.apply(null, values.map(function (r) { return r.value; }));
      var hi = Math.max.apply(null, values.map(function (r) { return r.value; }));
      var top_value = hi;
      if (hi === lo) { hi += 1; lo -= 1; }
      var points = values.map(function (r) {
        var y = bottom - (r.value - lo) / (hi - lo) * (bottom - top);
        return x(Date.parse(r.time)).toFixed(1) + "," + y.toFixed(1);
      });
      root.appendChild(svg("polyline", { points: points.join(" "), fill: "none", stroke: "#1a73e8", "stroke-width": "1.5" }));
      var maxLabel = svg("text", { x: "3", y: "12", "font-size": "10", fill: "#5f6368" });
      maxLabel.textContent = formatValue(top_value, "");
      root.appendChild(maxLabel);
    }
    var colours = { pass: "#1e8e3e", fail: "#d93025", error: "#e37400" };
    records.forEach(function (r) {
      root.appendChild(svg("rect", { x: x(Date.parse(r.time)).toFixed(1), y: String(h - strip), width: "3", height: String(strip),
                                      fill: colours[r.status] || "#80868b", "class": "mark " + r.status }));
    });
    return root;
  }

  function renderChecks(status, history) {
    var now = Date.parse(status.now) || Date.now();
    var range = axisRange(history, now);
    var container = document.getElementById("checks");
    container.textContent = "";
    status.checks.forEach(function (c) {
      var card = el("section", { "class": "card", "data-check": c.id, "data-state": c.state });
      var title = el("h2");
      title.appendChild(el("span", { "class": "label" }, c.label));
      title.appendChild(el("span", { "class": "badge " + c.state }, c.state));
      if (c.flapping) title.appendChild(el("span", { "class": "badge flapping" }, "flapping"));
      card.appendChild(title);
      card.appendChild(el("div", { "class": "id" }, c.id + " \u00b7 " + c.plugin));
      card.appendChild(el("div", { "class": "value" }, c.value_text || formatValue(c.value, c.unit)));
      card.appendChild(el("div", { "class": "summary" }, c.last ? c.last.status + ": " + c.last.summary : "no result yet"));
      card.appendChild(el("div", { "class": "since" }, c.state + " since " + ago(c.since) + ", last run " + ago(c.last_run)));
      var mine = history.filter(function (r) { return r.kind === "result" && r.check === c.id; });
      card.appendChild(chart(mine, range.start, range.end));
      card.appendChild(axisLabels(range));
      container.appendChild(card);
    });
  }

  // Two watchdogs (ha:): this node, the lease holder, the lease's age, the database.
  function renderHa(status) {
    var el = document.getElementById("ha");
    var ha = status.ha;
    el.hidden = !ha;
    if (!ha) return;
    var age = ha.lease_age_seconds === null ? "?" : ha.lease_age_seconds.toFixed(1) + " s";
    el.textContent = "node " + visible(ha.node) + " \u00b7 " + (ha.leading ? "holds the lease" : "leader " + visible(ha.leader || "?")) +
      " \u00b7 lease renewed " + age + " ago (token " + ha.token + ")" +
      (ha.database === "up" ? "" : " \u00b7 DATABASE DOWN: " + (ha.may_act ? "acting alone (when_db_down: act)" : "not acting (when_db_down: wait)"));
    el.className = "meta" + (ha.database === "up" ? "" : " down");
  }

  function renderRules(status) {
    var body = document.getElementById("rules");
    body.textContent = "";
    status.rules.forEach(function (r) {
      var row = el("tr", { "data-rule": r.id, "data-state": r.state });
      row.appendChild(el("td", null, r.id));
      var limit = r.limit ? " \u00b7 " + r.limit.runs + " of " + r.limit.count + " remedy runs used" +
                  (r.limit.reopens ? ", limited until " + new Date(r.limit.reopens).toLocaleString() : "") : "";
      row.appendChild(el("td", null, r.state + limit));
      row.appendChild(el("td", null, r.deadline ? new Date(r.deadline).toLocaleString() : ""));
      row.appendChild(incidentCell(r));
      body.appendChild(row);
    });
  }

/*STORY*/
  function windowMs() {
    var m = /^(\d+)([smhd])$/.exec(windowParam);
    if (!m) return 3600000;
    return Number(m[1]) * { s: 1000, m: 60000, h: 3600000, d: 86400000 }[m[2]];
  }

  function refresh() {
    return fetchJson("status").then(function (status) {
      document.getElementById("pipeline").textContent = visible(status.pipeline);
      document.title = visible(status.pipeline) + " \u2013 encoder-watchdog";
      document.getElementById("meta").textContent = "version " + status.version + " \u00b7 up " +
        Math.round(status.uptime_seconds / 60) + " min";
      renderHa(status);
      renderRules(status);
      renderMaintenance(status);
      var timeline = fetchTimeline().then(function (t) { renderTimeline(t); return t; },
        function (e) { renderTimeline(null, e.message); return null; });
      return fetchJson("history?since=" + encodeURIComponent(windowParam) + "&limit=" + historyLimit).then(function (h) { return h.records; },
        function (e) { showBanner("history unavailable: " + e.message); return []; })
        .then(function (records) {
          renderChecks(status, records);
          return timeline;
        }).then(function (t) {
          addUptime(t);
          document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
          document.body.setAttribute("data-loaded", "1");
          var banner = document.getElementById("banner");
          if (errors.length === 0 && banner.textContent.indexOf("history") !== 0 && banner.className.indexOf("ok") < 0) showBanner("");
        });
    }).catch(function (e) { showBanner("cannot load status: " + e.message); });
  }

  document.getElementById("token-form").addEventListener("submit", function (e) {
    e.preventDefault();
    sessionStorage.setItem(tokenKey, document.getElementById("token").value);
    document.getElementById("token-form").className = "";
    refresh();
  });

  windowButtons();
  setUpOperatorButtons();
  refresh();
  setInterval(refresh, refreshSeconds * 1000);
})();
</script>
</body>
</html>
)HTML";

}  // namespace

const std::string& statusPageHtml() {
    static const std::string html = [] {
        std::string text(page);
        const std::string marker = "/*STORY*/";
        text.replace(text.find(marker), marker.size(), statusPageStoryScript);
        return text;
    }();
    return html;
}

}  // namespace watchdog
