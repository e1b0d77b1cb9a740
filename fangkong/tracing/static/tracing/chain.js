/* The chain view (传播链) of a cluster, drawn with ECharts from the JSON the page embeds as
   #chain-data: the cases as nodes in layers by generation (placed by the server, so no force
   simulation runs in the browser) and the transmission links as arrows. The table of cases
   below the chart is the same information for phones and browsers without JavaScript.

   Built for 2,000 cases: above `data.big` nodes there are no labels (a case's number shows on
   hover), no arrowheads and no animation, and hovering does not fade the rest of the graph. */
(function () {
  "use strict";

  var COLORS = ["#b3261e", "#e8a33d"]; // confirmed, asymptomatic: as on the dashboard
  var GAP = 3; // empty columns between two generations
  // A cell's size in the graph's units. ECharts snaps thin lines to half units for crisp
  // pixels before zooming: with cells of one unit the links would miss their nodes.
  var CELL = 40;

  function esc(text) { return echarts.format.encodeHTML(String(text)); }

  /* A generation of hundreds of cases is one very tall column: wrap every generation into
     columns of at most `rows` cases, choosing `rows` so the drawing has about the box's
     shape. The server's order within a generation (report order) is kept. */
  function wrap(nodes, boxRatio) {
    var counts = {};
    nodes.forEach(function (n) { counts[n.value] = (counts[n.value] || 0) + 1; });
    var gens = Object.keys(counts).map(Number).sort(function (a, b) { return a - b; });
    var tallest = Math.max.apply(null, gens.map(function (g) { return counts[g]; }));
    function width(rows) {
      return gens.reduce(function (w, g) { return w + Math.ceil(counts[g] / rows); }, 0)
        + GAP * (gens.length - 1);
    }
    var rows = 1;
    while (rows < tallest && width(rows) / rows > boxRatio) { rows += 1; }
    var left = {}, x = 0;
    gens.forEach(function (g) { left[g] = x; x += Math.ceil(counts[g] / rows) + GAP; });
    var seen = {};
    nodes.forEach(function (n) {
      var i = seen[n.value] || 0;
      seen[n.value] = i + 1;
      var inColumn = Math.min(rows, counts[n.value]);
      n.x = (left[n.value] + Math.floor(i / rows)) * CELL;
      n.y = ((i % rows) + (rows - inColumn) / 2) * CELL;
    });
  }

  /* Two invisible corners around the drawing, with the box's shape and a cell of margin:
     ECharts fits the view to the nodes, and a single row of cases (a short chain) would
     otherwise be stretched into ellipses, its end labels cut off. */
  function corners(nodes, boxRatio) {
    var xs = nodes.map(function (n) { return n.x; });
    var ys = nodes.map(function (n) { return n.y; });
    var x0 = Math.min.apply(null, xs) - CELL, x1 = Math.max.apply(null, xs) + CELL;
    var y0 = Math.min.apply(null, ys) - CELL, y1 = Math.max.apply(null, ys) + CELL;
    var grow;
    if ((x1 - x0) / (y1 - y0) > boxRatio) {
      grow = ((x1 - x0) / boxRatio - (y1 - y0)) / 2;
      y0 -= grow; y1 += grow;
    } else {
      grow = ((y1 - y0) * boxRatio - (x1 - x0)) / 2;
      x0 -= grow; x1 += grow;
    }
    return [[x0, y0], [x1, y1]].map(function (p, i) {
      return {id: "corner-" + i, name: "", x: p[0], y: p[1], symbol: "none",
              label: {show: false}, tooltip: {show: false}, emphasis: {disabled: true}};
    });
  }

  function tooltip(data) {
    var byId = {};
    data.nodes.forEach(function (n) { byId[n.id] = n; });
    return function (p) {
      if (!p.data.uuid && p.dataType === "node") { return ""; }
      if (p.dataType === "edge") {
        var a = byId[p.data.source], b = byId[p.data.target];
        return a && b ? esc(a.name) + " → " + esc(b.name) : "";
      }
      var n = p.data;
      return "<b>" + esc(n.name) + "</b><br>" + esc(data.labels.categories[n.category]) +
        "<br>" + esc(data.labels.generation) + ": " + n.value +
        "<br>" + esc(data.labels.reported) + ": " + esc(n.day);
    };
  }

  function option(data, boxRatio) {
    var big = data.big;
    return {
      animation: !big,
      color: COLORS,
      tooltip: {confine: true, formatter: tooltip(data)},
      legend: {top: 0, data: data.labels.categories},
      series: [{
        type: "graph",
        layout: "none",
        top: 32, bottom: 8, left: 8, right: 8,
        roam: true,
        scaleLimit: {min: 0.2, max: 60},
        data: data.nodes.concat(corners(data.nodes, boxRatio)),
        links: data.links,
        categories: data.labels.categories.map(function (name) { return {name: name}; }),
        symbolSize: big ? 6 : 16,
        edgeSymbol: big ? ["none", "none"] : ["none", "arrow"],
        edgeSymbolSize: 7,
        label: {show: !big, position: "bottom", fontSize: 11, formatter: "{b}"},
        lineStyle: {color: "source", width: 1, opacity: big ? 0.35 : 0.7},
        emphasis: {focus: big ? "none" : "adjacency", scale: !big, label: {show: true},
                   lineStyle: {width: 2, opacity: 1}}
      }]
    };
  }

  /* The series' box (less its margins) as width / height: the layout is fitted to it. */
  function ratioOf(el) { return (el.clientWidth - 16) / Math.max(el.clientHeight - 40, 1); }

  function start() {
    var node = document.getElementById("chain-data");
    var el = document.getElementById("chain");
    if (!node || !el || typeof echarts === "undefined") { return; }
    var data = JSON.parse(node.textContent);
    var chart = echarts.init(el);
    chart.on("finished", function () { el.setAttribute("data-rendered", String(data.nodes.length)); });
    if (data.case_url) {
      chart.on("click", function (p) {
        if (p.dataType === "node" && p.data.uuid) { window.location.href = data.case_url.replace(data.blank, p.data.uuid); }
      });
    }
    var drawn = null;
    function draw() {
      var ratio = ratioOf(el);
      if (drawn !== null && Math.abs(ratio - drawn) < 0.01) { chart.resize(); return; }
      drawn = ratio;
      wrap(data.nodes, ratio);
      chart.resize();
      chart.setOption(option(data, ratio), {notMerge: true});
    }
    draw();
    var pending = null;
    var later = function () { clearTimeout(pending); pending = setTimeout(draw, 150); };
    window.addEventListener("resize", later);
    if (window.ResizeObserver) { new ResizeObserver(later).observe(el); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
