/* Dashboard charts (ECharts), drawn from the JSON the page embeds as #dashboard-data.
   The figures, tables and bars are server-rendered; this only adds the two charts, the
   curve's split toggle and submitting the filter when it changes. */
(function () {
  "use strict";

  var COLORS = {
    confirmed: "#b3261e", asymptomatic: "#e8a33d",
    in_control: "#1b6e3a", community: "#0b5cad", rt: "#1d2329", band: "rgba(11,92,173,0.18)"
  };
  var SPLITS = {classification: ["confirmed", "asymptomatic"], control: ["in_control", "community"]};

  function shortDay(iso) { return iso.slice(5); } // MM-DD: the year is in the as-of date

  function fixed(x) { return (Math.round(x * 100) / 100).toFixed(2); }

  function markRendered(chart, el) {
    chart.on("finished", function () { el.setAttribute("data-rendered", "1"); });
  }

  function curveOption(data, split) {
    var names = SPLITS[split];
    return {
      animationDuration: 300,
      color: names.map(function (n) { return COLORS[n]; }),
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      legend: {top: 0, data: names.map(function (n) { return data.labels[n]; })},
      grid: {left: 8, right: 8, top: 32, bottom: 8, containLabel: true},
      xAxis: {type: "category", data: data.curve.days.map(shortDay), axisTick: {alignWithLabel: true}},
      yAxis: {type: "value", minInterval: 1},
      series: names.map(function (n) {
        return {name: data.labels[n], type: "bar", stack: "cases", data: data.curve[n],
                barMaxWidth: 28, emphasis: {focus: "series"}};
      })
    };
  }

  function drawCurve(data) {
    var el = document.getElementById("curve-chart");
    if (!el) { return null; }
    var chart = echarts.init(el);
    markRendered(chart, el);
    chart.setOption(curveOption(data, "classification"));
    document.querySelectorAll("[data-curve]").forEach(function (button) {
      button.addEventListener("click", function () {
        document.querySelectorAll("[data-curve]").forEach(function (b) {
          b.setAttribute("aria-pressed", String(b === button));
        });
        chart.setOption(curveOption(data, button.getAttribute("data-curve")), {notMerge: true});
      });
    });
    return chart;
  }

  function rtOption(data) {
    var points = data.rt.series;
    var mean = points.map(function (p) { return p.mean; });
    var lower = points.map(function (p) { return p.lower; });
    // The band is drawn as a stack: an invisible line at the lower bound, then the width.
    var width = points.map(function (p) { return p.upper - p.lower; });
    return {
      animationDuration: 300,
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var p = points[items[0].dataIndex];
          return p.day + "<br>" + data.labels.rt_mean + ": " + fixed(p.mean) + "<br>" +
            data.labels.rt_band + ": " + fixed(p.lower) + "–" + fixed(p.upper);
        }
      },
      legend: {top: 0, data: [data.labels.rt_mean, data.labels.rt_band]},
      grid: {left: 8, right: 16, top: 32, bottom: 8, containLabel: true},
      xAxis: {type: "category", boundaryGap: false, data: points.map(function (p) { return shortDay(p.day); })},
      yAxis: {type: "value", min: 0},
      series: [
        {name: "lower", type: "line", data: lower, stack: "band", symbol: "none",
         lineStyle: {opacity: 0}, silent: true, tooltip: {show: false}},
        {name: data.labels.rt_band, type: "line", data: width, stack: "band", symbol: "none",
         lineStyle: {opacity: 0}, areaStyle: {color: COLORS.band}, itemStyle: {color: COLORS.band},
         silent: true},
        {name: data.labels.rt_mean, type: "line", data: mean, symbolSize: 5,
         itemStyle: {color: COLORS.rt}, lineStyle: {color: COLORS.rt, width: 2},
         markLine: {symbol: "none", silent: true, lineStyle: {color: COLORS.confirmed, type: "dashed"},
                    label: {formatter: data.labels.threshold, position: "insideEndTop"},
                    data: [{yAxis: 1}]}}
      ]
    };
  }

  function drawRt(data) {
    var el = document.getElementById("rt-chart");
    if (!el || !data.rt.series.length) { return null; }
    var chart = echarts.init(el);
    markRendered(chart, el);
    chart.setOption(rtOption(data));
    return chart;
  }

  function autoSubmit() {
    var form = document.getElementById("dashboard-filter");
    if (!form) { return; }
    form.querySelectorAll("select, input[type=date]").forEach(function (input) {
      input.addEventListener("change", function () {
        if (input.value || input.tagName === "SELECT") { form.requestSubmit(); }
      });
    });
  }

  function start() {
    autoSubmit();
    var node = document.getElementById("dashboard-data");
    if (!node || typeof echarts === "undefined") { return; }
    var data = JSON.parse(node.textContent);
    var charts = [drawCurve(data), drawRt(data)].filter(Boolean);
    var resize = function () { charts.forEach(function (c) { c.resize(); }); };
    window.addEventListener("resize", resize);
    if (window.ResizeObserver) {
      var observer = new ResizeObserver(resize);
      charts.forEach(function (c) { observer.observe(c.getDom()); });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
