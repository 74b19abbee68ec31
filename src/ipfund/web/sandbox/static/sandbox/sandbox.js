/* The policy sandbox's charts (ECharts, the statistics dashboard's library, served from our own
   static files). Figures come from the page's json_script block: amounts as decimal strings,
   labels already in Chinese. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var BASE = "现行规则", SCENARIO = "情景";
  var yuan = function (v) {
    return "¥" + Number(v).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  };
  var wan = function (v) { return Math.abs(v) >= 10000 ? v / 10000 + "万" : v; };
  var charts = [];

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    charts.push(chart);
  }

  function pair(series, horizontal, names) {
    var category = { type: "category", data: series.labels, axisLabel: { interval: 0, width: horizontal ? 150 : 90, overflow: horizontal ? "break" : "truncate" } };
    var value = { type: "value", splitNumber: horizontal ? 3 : 5, axisLabel: { formatter: wan } };
    return {
      tooltip: { trigger: "axis", valueFormatter: yuan },
      legend: { data: names },
      grid: { left: 10, right: 20, bottom: 10, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [
        { name: names[0], type: "bar", data: series.first },
        { name: names[1], type: "bar", data: series.second }
      ]
    };
  }

  var source = document.getElementById("sandbox-data");
  if (source) {
    var data = JSON.parse(source.textContent);
    var iy = data.item_year;
    draw("chart-item-year", {
      tooltip: { trigger: "axis", valueFormatter: yuan },
      legend: { type: "scroll", data: iy.items.map(function (i) { return i.label; }) },
      grid: { left: 10, right: 20, bottom: 10, top: 60, containLabel: true },
      xAxis: { type: "category", data: iy.years.map(function (y) { return y + " 年"; }) },
      yAxis: { type: "value", axisLabel: { formatter: wan } },
      series: iy.items.map(function (i) { return { name: i.label, type: "bar", stack: "delta", data: i.delta }; })
    });
    draw("chart-item", pair({ labels: data.item.labels, first: data.item.base, second: data.item.scenario }, true, [BASE, SCENARIO]));
    draw("chart-year", pair({ labels: data.year.labels, first: data.year.base, second: data.year.scenario }, false, [BASE, SCENARIO]));
  }
  var both = document.getElementById("sandbox-compare-data");
  if (both) {
    var c = JSON.parse(both.textContent);
    draw("chart-compare", pair({ labels: c.labels, first: c.left, second: c.right }, true,
      ["情景甲：" + c.left_name, "情景乙：" + c.right_name]));
  }
  window.addEventListener("resize", function () { charts.forEach(function (ch) { ch.resize(); }); });
})();
