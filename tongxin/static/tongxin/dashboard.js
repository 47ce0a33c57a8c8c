/* Dashboard charts (ECharts, served locally): the children as a tree-map (a click opens the child's dashboard),
   each distribution as bars, each monthly figure as a line. The page's tables hold the same figures.
   On the wall display ([data-wall]) the figures are fetched again from the server's API on a timer.
   A display link's page ([data-wall-display], no session) carries no figures: the token is the link's fragment
   (never sent by the browser), sent in "Authorization: Display <token>" to the page's data-source; the first
   answer fills and draws the page, a 401 says why the link ended (revoked, expired, unknown) and stops. */
(function () {
  "use strict";
  if (!window.echarts) return;
  var source = document.getElementById("dashboard-data");
  var wall = document.querySelector("[data-wall]");
  var display = !!(wall && wall.hasAttribute("data-wall-display"));
  if (!source && !display) return;
  var data = source ? JSON.parse(source.textContent) : null;
  var theme = wall ? "dark" : null;
  var red = wall ? "#ff6b6b" : "#c8102e";
  var charts = [];

  function treemap(d) {
    return {
      backgroundColor: "transparent",
      tooltip: { formatter: function (p) { return p.name + ": " + p.value; } },
      series: [{
        type: "treemap", roam: false, nodeClick: false, breadcrumb: { show: false },
        label: { show: true, formatter: "{b}\n{c}" },
        data: d.children.map(function (c) { return { name: c.name, value: Math.max(c.members, 0), id: String(c.id) }; }),
      }],
    };
  }
  function distribution(d, index) {
    var dist = d.distributions[index];
    var slices = dist ? dist.slices.slice(0, 12) : [];
    return {
      backgroundColor: "transparent",
      grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "value" },
      yAxis: { type: "category", inverse: true, data: slices.map(function (s) { return s.label; }) },
      series: [{ type: "bar", name: dist ? dist.title : "", data: slices.map(function (s) { return s.count; }), itemStyle: { color: red } }],
    };
  }
  // The month under way (last_month_partial) is its figure so far, not a drop: its label says so ("（截至今日）",
  // from the server's labels) and its segment is dashed and unfilled, apart from the months that are complete.
  function trend(d, index) {
    var t = d.trends[index] || { months: [], values: [], title: "" };
    var values = t.values.slice();
    var partial = t.last_month_partial && values.length > 1;
    var series = [{ type: "line", name: t.title, itemStyle: { color: red }, areaStyle: { opacity: 0.15 },
      data: partial ? values.slice(0, -1).concat([null]) : values }];
    if (partial) {
      series.push({ type: "line", name: t.title, itemStyle: { color: red }, lineStyle: { type: "dashed" },
        symbol: "emptyCircle",
        data: values.map(function (v, i) {
          if (i < values.length - 2) return null;
          if (i < values.length - 1 || !t.labels) return v;
          // The axis may skip the last month's label on a narrow chart: the point says "so far" itself.
          var soFar = t.labels[i].slice(t.months[i].length).trim();
          return { value: v, label: { show: !!soFar, position: "top", formatter: soFar, color: red } };
        }) });
    }
    return {
      backgroundColor: "transparent",
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", formatter: function (ps) { // the month where both lines meet: shown once
        var p = ps.filter(function (x) { return x.value !== null && x.value !== undefined; })[0];
        var enc = window.echarts.format.encodeHTML;
        return p ? enc(p.axisValueLabel) + "<br>" + enc(t.title) + ": " + p.value : "";
      } },
      xAxis: { type: "category", data: t.labels || t.months },
      yAxis: { type: "value", minInterval: 1 },
      series: series,
    };
  }
  function draw(el, build) {
    var chart = window.echarts.init(el, theme);
    chart.setOption(build(data));
    charts.push({ chart: chart, build: build });
    return chart;
  }

  function drawAll() {
  document.querySelectorAll("[data-dashboard-treemap]").forEach(function (el) {
    var chart = draw(el, treemap);
    chart.on("click", function (p) {
      if (!display && p.data && p.data.id) { // a display link shows one organisation: no drill-down
        var params = new URLSearchParams(window.location.search);
        params.set("org", p.data.id);
        window.location.search = params.toString();
      }
    });
  });
  document.querySelectorAll("[data-dashboard-distribution]").forEach(function (el) {
    var index = Number(el.getAttribute("data-dashboard-distribution"));
    draw(el, function (d) { return distribution(d, index); });
  });
  document.querySelectorAll("[data-dashboard-trend]").forEach(function (el) {
    var index = Number(el.getAttribute("data-dashboard-trend"));
    draw(el, function (d) { return trend(d, index); });
  });
  }
  if (data) drawAll();
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.chart.resize(); }); });

  if (!wall) return;
  var seconds = Math.max(Number(wall.getAttribute("data-refresh")) || 60, 10);
  var format = new Intl.NumberFormat();
  var stale = document.querySelector("[data-wall-stale]");
  function rate(c) { return c && c.required ? (100 * c.done / c.required).toFixed(1) + "%" : "—"; }
  var token = display ? decodeURIComponent(window.location.hash.slice(1)) : "";
  var timer = null;
  function fill(fresh) { // the display page's titles and panels, from the figures (the wall page has them in its HTML)
    var name = document.querySelector("[data-wall-name]");
    if (name && fresh.organization) { name.textContent = fresh.organization.name; document.title = fresh.organization.name; }
    document.querySelectorAll("[data-wall-on]").forEach(function (el) { el.textContent = fresh.on; });
    document.querySelectorAll("[data-wall-year]").forEach(function (el) { el.textContent = fresh.compliance ? fresh.compliance.year : ""; });
    var totals = fresh.trends.filter(function (t) { return t.summable; });
    document.querySelectorAll("[data-wall-total]").forEach(function (el) {
      var t = totals[Number(el.getAttribute("data-wall-total"))];
      el.hidden = !t;
      if (!t) return;
      el.setAttribute("data-wall-trend-total", t.facet);
      el.querySelector("[data-wall-total-title]").textContent = t.title;
      el.querySelector("[data-wall-total-unit]").textContent = t.unit;
      el.querySelector("[data-wall-total-value]").setAttribute("data-wall-trend-total", t.facet);
    });
    [["distribution", fresh.distributions], ["trend", fresh.trends]].forEach(function (kind) {
      document.querySelectorAll("[data-wall-panel=" + kind[0] + "]").forEach(function (el, index) {
        var item = kind[1][index];
        el.hidden = !item;
        if (item) { el.querySelector("[data-wall-heading]").textContent = item.title; el.querySelector(".wall-chart").setAttribute("aria-label", item.title); }
      });
    });
  }
  function ended(reason) { // the link no longer opens the figures: say why, and stop asking
    var shown = document.querySelector("[data-wall-ended=" + reason + "]") || document.querySelector("[data-wall-ended=unknown]");
    document.querySelectorAll("[data-wall-ended]").forEach(function (el) { el.hidden = el !== shown; });
    if (stale) stale.hidden = true;
    wall.setAttribute("data-wall-ended-reason", reason);
    if (reason !== "limited" && timer !== null) { window.clearInterval(timer); timer = null; }
  }
  function refresh() {
    var headers = { Accept: "application/json" };
    if (display) headers.Authorization = "Display " + token;
    fetch(wall.getAttribute("data-source"), { credentials: display ? "omit" : "same-origin", headers: headers })
      .then(function (response) {
        if (display && (response.status === 401 || response.status === 429)) {
          return response.json().then(function (body) { ended(body.reason || "unknown"); return null; });
        }
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (fresh) {
        if (!fresh) return;
        data = fresh;
        if (display) {
          fill(fresh);
          document.querySelectorAll("[data-wall-ended]").forEach(function (el) { el.hidden = true; });
          if (!charts.length) drawAll();
        }
        document.querySelectorAll("[data-wall-figure]").forEach(function (el) {
          el.textContent = format.format(fresh[el.getAttribute("data-wall-figure")] || 0);
        });
        document.querySelectorAll("[data-wall-trend-total]").forEach(function (el) {
          var facet = el.getAttribute("data-wall-trend-total");
          var t = fresh.trends.filter(function (x) { return x.facet === facet; })[0];
          if (el.hasAttribute("data-wall-total")) return; // the display page's cell: its value is the span inside
          el.textContent = format.format(t ? t.total : 0);
        });
        document.querySelectorAll("[data-wall-compliance]").forEach(function (el) { el.textContent = rate(fresh.compliance); });
        charts.forEach(function (c) { c.chart.setOption(c.build(fresh)); });
        wall.setAttribute("data-refreshed", new Date().toISOString());
        if (stale) stale.hidden = true;
      })
      .catch(function () {
        wall.setAttribute("data-refresh-failed", new Date().toISOString());
        if (stale) stale.hidden = false; // a screen nobody touches: say why the figures stopped, and where to sign in
      });
  }
  timer = window.setInterval(refresh, seconds * 1000);
  if (display) {
    if (token) refresh(); else ended("unknown"); // the page has no figures of its own: fetch them at once
  }
})();
