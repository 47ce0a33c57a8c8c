/* Dashboard charts (ECharts, served locally): the children as a tree-map (a click opens the child's dashboard),
   each distribution as bars, each monthly figure as a line. The page's tables hold the same figures.
   On the wall display ([data-wall]) the figures are fetched again from the server's API on a timer. */
(function () {
  "use strict";
  if (!window.echarts) return;
  var source = document.getElementById("dashboard-data");
  if (!source) return;
  var data = JSON.parse(source.textContent);
  var wall = document.querySelector("[data-wall]");
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
  function trend(d, index) {
    var t = d.trends[index] || { months: [], values: [], title: "" };
    return {
      backgroundColor: "transparent",
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: t.months },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "line", name: t.title, data: t.values, itemStyle: { color: red }, areaStyle: { opacity: 0.15 } }],
    };
  }
  function draw(el, build) {
    var chart = window.echarts.init(el, theme);
    chart.setOption(build(data));
    charts.push({ chart: chart, build: build });
    return chart;
  }

  document.querySelectorAll("[data-dashboard-treemap]").forEach(function (el) {
    var chart = draw(el, treemap);
    chart.on("click", function (p) {
      if (p.data && p.data.id) {
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
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.chart.resize(); }); });

  if (!wall) return;
  var seconds = Math.max(Number(wall.getAttribute("data-refresh")) || 60, 10);
  var format = new Intl.NumberFormat();
  var stale = document.querySelector("[data-wall-stale]");
  function rate(c) { return c && c.required ? (100 * c.done / c.required).toFixed(1) + "%" : "—"; }
  function refresh() {
    fetch(wall.getAttribute("data-source"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) throw new Error(String(response.status)); return response.json(); })
      .then(function (fresh) {
        data = fresh;
        document.querySelectorAll("[data-wall-figure]").forEach(function (el) {
          el.textContent = format.format(fresh[el.getAttribute("data-wall-figure")] || 0);
        });
        document.querySelectorAll("[data-wall-trend-total]").forEach(function (el) {
          var facet = el.getAttribute("data-wall-trend-total");
          var t = fresh.trends.filter(function (x) { return x.facet === facet; })[0];
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
  window.setInterval(refresh, seconds * 1000);
})();
