/* The statistics dashboard's charts (ECharts, served from our own static files). The figures come
   from the page's json_script block: amounts as decimal strings, labels already in Chinese. */
(function () {
  "use strict";
  var source = document.getElementById("statistics-data");
  if (!source) { return; }
  var data = JSON.parse(source.textContent);

  document.querySelectorAll(".meter > span[data-percent]").forEach(function (bar) {
    bar.style.width = Math.min(100, parseFloat(bar.getAttribute("data-percent")) || 0) + "%";
  });
  if (typeof echarts === "undefined") { return; }

  var COMMITTED = "已审定", PAID = "已拨付";
  var yuan = function (v) {
    return "¥" + Number(v).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  };
  var charts = [];

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    charts.push(chart);
  }

  function bars(series, horizontal) {
    var category = { type: "category", data: series.labels, axisLabel: { interval: 0, width: horizontal ? 140 : 90, overflow: horizontal ? "break" : "truncate" } };
    var value = { type: "value", splitNumber: horizontal ? 3 : 5, axisLabel: { formatter: function (v) { return v >= 10000 ? v / 10000 + "万" : v; } } };
    return {
      tooltip: { trigger: "axis", valueFormatter: yuan },
      legend: { data: [COMMITTED, PAID] },
      grid: { left: 10, right: 20, bottom: 10, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [
        { name: COMMITTED, type: "bar", data: series.committed },
        { name: PAID, type: "bar", data: series.paid }
      ]
    };
  }

  draw("chart-month", bars(data.month, false));
  draw("chart-item", bars(data.item, true));
  draw("chart-kind", bars(data.kind, false));
  draw("chart-states", {
    tooltip: { trigger: "item" },
    series: [{
      type: "pie", radius: ["35%", "65%"],
      data: data.states.labels.map(function (label, i) { return { name: label, value: data.states.counts[i] }; })
    }]
  });
  if (data.budgets.length) {
    draw("chart-budgets", {
      tooltip: { trigger: "axis", valueFormatter: yuan },
      legend: { data: ["预算", COMMITTED, PAID] },
      grid: { left: 10, right: 20, bottom: 10, containLabel: true },
      xAxis: { type: "value", splitNumber: 4 },
      yAxis: { type: "category", axisLabel: { width: 160, overflow: "break" }, data: data.budgets.map(function (b) { return b.label; }) },
      series: [
        { name: "预算", type: "bar", data: data.budgets.map(function (b) { return b.amount; }) },
        { name: COMMITTED, type: "bar", data: data.budgets.map(function (b) { return b.committed; }) },
        { name: PAID, type: "bar", data: data.budgets.map(function (b) { return b.paid; }) }
      ]
    });
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
