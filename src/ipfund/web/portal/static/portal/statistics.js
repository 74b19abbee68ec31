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

  function draw(id, option, rows) {
    var el = document.getElementById(id);
    if (!el) { return; }
    if (rows) {  // a horizontal chart: as tall as its categories need, each on its own line or two
      el.style.height = Math.max(300, rows * ROW_HEIGHT + 70) + "px";
    }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    charts.push(chart);
  }

  // Horizontal charts give every category label a band of ROW_HEIGHT pixels: two lines of a long
  // item name broken at LABEL_WIDTH, never overlapping the next. Vertical charts (the months) keep
  // their labels short ("10月") so that twelve fit side by side.
  var ROW_HEIGHT = 40, LABEL_WIDTH = 168;

  function bars(series, horizontal) {
    var labels = horizontal ? series.labels : series.labels.map(function (l) { return String(l).replace(/\s+/g, ""); });
    var category = {
      type: "category", data: labels, inverse: horizontal,
      axisLabel: horizontal
        ? { interval: 0, width: LABEL_WIDTH, overflow: "break", lineHeight: 17, fontSize: 12 }
        : { interval: 0, fontSize: 11, margin: 8 }
    };
    var value = { type: "value", splitNumber: horizontal ? 3 : 4, axisLabel: { hideOverlap: true, formatter: function (v) { return v >= 10000 ? v / 10000 + "万" : v; } } };
    return {
      tooltip: { trigger: "axis", valueFormatter: yuan },
      legend: { data: [COMMITTED, PAID] },
      grid: { left: 10, right: 30, bottom: 10, top: 40, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [
        { name: COMMITTED, type: "bar", data: series.committed },
        { name: PAID, type: "bar", data: series.paid }
      ]
    };
  }

  draw("chart-month", bars(data.month, false));
  draw("chart-item", bars(data.item, true), data.item.labels.length);
  draw("chart-kind", bars(data.kind, true), data.kind.labels.length);
  // The states as bars with their counts (a pie's labels around it are cut short when the slices are many).
  draw("chart-states", {
    tooltip: { trigger: "axis" },
    grid: { left: 10, right: 40, bottom: 10, top: 10, containLabel: true },
    xAxis: { type: "value", minInterval: 1, splitNumber: 3, axisLabel: { hideOverlap: true } },
    yAxis: { type: "category", inverse: true, data: data.states.labels,
             axisLabel: { interval: 0, width: LABEL_WIDTH, overflow: "break", lineHeight: 17 } },
    series: [{ name: "件数", type: "bar", data: data.states.counts, label: { show: true, position: "right" } }]
  }, data.states.labels.length);
  if (data.budgets.length) {
    draw("chart-budgets", {
      tooltip: { trigger: "axis", valueFormatter: yuan },
      legend: { data: ["预算", COMMITTED, PAID] },
      grid: { left: 10, right: 30, bottom: 10, top: 40, containLabel: true },
      xAxis: { type: "value", splitNumber: 3, axisLabel: { hideOverlap: true, formatter: function (v) { return v >= 10000 ? v / 10000 + "万" : v; } } },
      yAxis: { type: "category", inverse: true, axisLabel: { interval: 0, width: LABEL_WIDTH, overflow: "break", lineHeight: 17 },
               data: data.budgets.map(function (b) { return b.label; }) },
      series: [
        { name: "预算", type: "bar", data: data.budgets.map(function (b) { return b.amount; }) },
        { name: COMMITTED, type: "bar", data: data.budgets.map(function (b) { return b.committed; }) },
        { name: PAID, type: "bar", data: data.budgets.map(function (b) { return b.paid; }) }
      ]
    }, data.budgets.length);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
