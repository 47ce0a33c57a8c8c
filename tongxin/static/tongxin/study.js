/* Study pages: the chart of the participation rate per period (ECharts), and a quiz form sent once. */
(function () {
  "use strict";
  document.querySelectorAll("[data-study-chart]").forEach(function (el) {
    if (!window.echarts) return;
    var source = document.getElementById(el.getAttribute("data-study-chart"));
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(el);
    chart.setOption({
      grid: { left: 40, right: 10, top: 20, bottom: 30 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", min: 0, max: 100 },
      series: [{ name: el.getAttribute("data-label"), type: "bar", data: data.rates, itemStyle: { color: "#c8102e" } }],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
(function () {
  "use strict";
  // A double tap sends the answers once (the server makes one participation whatever arrives).
  document.querySelectorAll("form[data-send-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
      form.setAttribute("data-sent", "1");
    });
  });
})();
