/* Dashboard charts (ECharts, served locally): the children as a tree-map (a click opens the child's dashboard),
   each distribution as bars, each monthly figure as a line. The page's tables hold the same figures. */
(function () {
  "use strict";
  if (!window.echarts) return;
  var source = document.getElementById("dashboard-data");
  if (!source) return;
  var data = JSON.parse(source.textContent);
  var red = "#c8102e";
  var charts = [];
  function draw(el, option) {
    var chart = window.echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
    return chart;
  }
  document.querySelectorAll("[data-dashboard-treemap]").forEach(function (el) {
    var chart = draw(el, {
      tooltip: { formatter: function (p) { return p.name + ": " + p.value; } },
      series: [{
        type: "treemap", roam: false, nodeClick: false, breadcrumb: { show: false },
        label: { show: true, formatter: "{b}\n{c}" },
        data: data.children.map(function (c) { return { name: c.name, value: Math.max(c.members, 0), id: String(c.id) }; }),
      }],
    });
    chart.on("click", function (p) {
      if (p.data && p.data.id) window.location.search = "?org=" + encodeURIComponent(p.data.id);
    });
  });
  document.querySelectorAll("[data-dashboard-distribution]").forEach(function (el) {
    var d = data.distributions[Number(el.getAttribute("data-dashboard-distribution"))];
    if (!d) return;
    var slices = d.slices.slice(0, 12);
    draw(el, {
      grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "value" },
      yAxis: { type: "category", inverse: true, data: slices.map(function (s) { return s.label; }) },
      series: [{ type: "bar", name: d.title, data: slices.map(function (s) { return s.count; }), itemStyle: { color: red } }],
    });
  });
  document.querySelectorAll("[data-dashboard-trend]").forEach(function (el) {
    var t = data.trends[Number(el.getAttribute("data-dashboard-trend"))];
    if (!t) return;
    draw(el, {
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: t.months },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "line", name: t.title, data: t.values, itemStyle: { color: red }, areaStyle: { opacity: 0.15 } }],
    });
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
