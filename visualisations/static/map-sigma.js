// The large map's behaviour (graphsvc): sigma.js on WebGL draws what visualisations/map.py
// put in GRAPHSVC_DATA (sigma_data: columns, positions precomputed, texts in one table).
// The same page as map.js gives vis-network maps: legend filters, district and category
// filters, search, the details of a clicked actor, the path and marks highlighted. Every user
// string is handled as text: sigma draws labels on a canvas, the tooltip and the details panel
// are elements filled with textContent, datalist options get .value.
(function () {
  "use strict";
  var D = GRAPHSVC_DATA, T = D.text, W = D.words, N = D.nm.length;
  var container = document.getElementById("network");
  var state = {ready: false, renderer: "sigma", mode: function () { return "full"; },
               phases: {script: performance.now()}};  // ms since navigation, for bench_maps
  window.graphsvc = state;
  if (!N) { state.ready = true; state.readyAt = performance.now(); return; }

  function mix(hex, amount) {  // towards white: dimmed, but opaque (no blending order issues)
    var v = parseInt(hex.slice(1), 16), out = "#";
    [16, 8, 0].forEach(function (s) {
      var c = (v >> s) & 255;
      out += ("0" + Math.round(c + (255 - c) * amount).toString(16)).slice(-2);
    });
    return out;
  }
  var SIZE = 1 / 6;  // vis-network's values (9-36) to sigma's pixels
  var marks = D.mk || {}, labels = D.lb || {}, offers = D.of || {}, needs = D.ne || {};
  var descs = D.ds || {}, hops = D.hop || {};
  var emphasised = new Uint8Array(N);
  D.hi.forEach(function (i) { emphasised[i] = 1; });
  Object.keys(marks).forEach(function (i) { emphasised[i] = 1; });
  // A path's few steps always keep their names; many marks (gaps) would bury each other's,
  // so those compete for space like every other label.
  var forced = D.hi.length + Object.keys(marks).length <= 20;

  // ---- the graph, built once from the columns ----
  var graph = new graphology.Graph({multi: true, type: "directed", allowSelfLoops: true});
  var nodeColour = [], dimColour = [];
  for (var i = 0; i < N; i++) {
    var colour = D.kinds[D.kd[i]][1];
    nodeColour.push(colour);
    dimColour.push(mix(colour, 0.7));
    var size = D.sz[i] * SIZE;
    if (marks[i]) { size = Math.max(size, 5); }
    graph.addNode(i, {x: D.xy[2 * i], y: D.xy[2 * i + 1], size: size,
                      label: labels[i] !== undefined ? labels[i] : D.nm[i], i: i});
  }
  var edgeTie = new Uint8Array(D.to.length), edgeOn = new Uint8Array(D.to.length);
  D.ehi.forEach(function (k) { edgeOn[k] = 1; });
  var k = 0;
  for (var s = 0; s < N; s++) {
    for (var j = 0; j < D.deg[s]; j++, k++) {
      var code = D.to[k], t = code % D.tb;
      edgeTie[k] = t;
      var attrs = {size: edgeOn[k] ? 3 : 0.6, k: k};
      if (hops[k]) { attrs.label = hops[k]; attrs.forceLabel = true; }
      graph.addDirectedEdgeWithKey(k, s, (code - t) / D.tb, attrs);
    }
  }
  state.phases.graph = performance.now();
  var tieColour = D.ties.map(function (x) { return x[2]; });
  var tieDim = D.ties.map(function (x) { return mix(x[2], 0.75); });

  // ---- what is shown: filters hide, search and clicks select ----
  var hidden = new Uint8Array(N), tieOff = {}, selected = {};
  function nodeReducer(key, a) {
    var i = a.i, out = {x: a.x, y: a.y, size: a.size, label: a.label};
    if (hidden[i]) { out.hidden = true; return out; }
    out.color = D.dim && !emphasised[i] ? dimColour[i] : nodeColour[i];
    if (emphasised[i]) { out.forceLabel = forced; out.zIndex = 1; }
    if (selected[i]) { out.highlighted = true; out.forceLabel = true; out.zIndex = 2; }
    return out;
  }
  function edgeReducer(key, a) {
    var k = a.k, t = edgeTie[k], out = {size: a.size};
    if (tieOff[D.ties[t][0]]) { out.hidden = true; return out; }
    if (edgeOn[k]) {
      out.color = "#000000"; out.zIndex = 1;
      if (a.label) { out.label = a.label; out.forceLabel = true; }
    } else { out.color = D.dim ? tieDim[t] : tieColour[t]; }
    return out;
  }
  var renderer = new Sigma(graph, container, {
    nodeReducer: nodeReducer, edgeReducer: edgeReducer, zIndex: true,
    defaultEdgeType: "arrow", renderEdgeLabels: true, hideEdgesOnMove: N > 20000,
    labelFont: "system-ui, sans-serif", labelSize: 12, labelColor: {color: "#111111"},
    edgeLabelFont: "system-ui, sans-serif", edgeLabelSize: 14,
    edgeLabelColor: {color: "#000000"}, labelRenderedSizeThreshold: 3,
    labelDensity: 0.6, labelGridCellSize: 120,
    minCameraRatio: 0.005, maxCameraRatio: 4, stagePadding: 20
  });
  state.sigma = renderer; state.graph = graph; state.phases.sigma = performance.now();

  // ---- district islands behind the actors, marks (outline patterns) over them ----
  function layer(cls, before) {
    var c = document.createElement("canvas");
    c.className = "overlay " + cls;
    if (before) { container.insertBefore(c, container.firstChild); } else { container.appendChild(c); }
    return c;
  }
  var below = D.islands.length ? layer("islands", true) : null;
  var MARK_DASH = {focus: [], path: [], unmet: [9, 5], isolated: [2, 5]};
  var marked = Object.keys(marks).map(Number).concat(D.hi);
  var above = marked.length ? layer("marks", false) : null;
  function prepare(c) {
    var r = window.devicePixelRatio || 1, w = container.clientWidth, h = container.clientHeight;
    if (c.width !== Math.round(w * r) || c.height !== Math.round(h * r)) {
      c.width = Math.round(w * r); c.height = Math.round(h * r);
    }
    var ctx = c.getContext("2d");
    ctx.setTransform(r, 0, 0, r, 0, 0);
    ctx.clearRect(0, 0, w, h);
    return ctx;
  }
  function overlays() {
    if (below) {
      var ctx = prepare(below);
      ctx.font = "bold 15px system-ui, sans-serif"; ctx.textAlign = "center";
      D.islands.forEach(function (d) {
        var c = renderer.graphToViewport({x: d.x, y: d.y});
        var e = renderer.graphToViewport({x: d.x + d.r, y: d.y});
        var r = Math.abs(e.x - c.x);
        ctx.beginPath(); ctx.arc(c.x, c.y, r, 0, 2 * Math.PI);
        ctx.fillStyle = "#f2f5f9"; ctx.fill();
        ctx.strokeStyle = "#c3cdd9"; ctx.lineWidth = 2; ctx.stroke();
        ctx.fillStyle = "#3d4b5c"; ctx.fillText(d.label, c.x, c.y - r - 8);
      });
    }
    if (above) {
      var m = prepare(above);
      m.strokeStyle = "#000000";
      marked.forEach(function (i) {
        if (hidden[i]) { return; }
        var d = renderer.getNodeDisplayData(i);
        if (!d) { return; }
        var p = renderer.framedGraphToViewport(d);
        var r = renderer.scaleSize(d.size) + 2;
        m.lineWidth = marks[i] === "focus" ? 3.5 : 2.5;
        m.setLineDash(MARK_DASH[marks[i] || "path"]);
        m.beginPath(); m.arc(p.x, p.y, r, 0, 2 * Math.PI); m.stroke();
      });
    }
  }
  renderer.on("afterRender", overlays);

  function ready() {
    if (state.ready) { return; }
    state.ready = true;
    state.readyAt = performance.now();
  }
  renderer.once("afterRender", ready);
  renderer.refresh();

  // ---- the hover tooltip (the same lines as map.js and encoding.tooltip_text) ----
  function clip(s, n) {
    s = String(s).split(/\s+/).join(" ").trim();
    return s.length <= n ? s : s.slice(0, n - 1).trim() + "\u2026";
  }
  function district(i) { return D.di[i] >= 0 ? W[D.di[i]] : ""; }
  function kindLabel(i) { return D.kinds[D.kd[i]][2]; }
  function texts(table, i) { return (table[i] || []).map(function (w) { return W[w]; }); }
  function nodeTip(i) {
    var lines = [D.nm[i], [kindLabel(i), district(i)].filter(Boolean).join(" \u00b7 ")];
    if (descs[i]) { lines.push(clip(descs[i], 160)); }
    [[offers, T.offers], [needs, T.needs]].forEach(function (p) {
      var items = texts(p[0], i);
      if (!items.length) { return; }
      var more = items.length > 6 ? " (+" + (items.length - 6) + ")" : "";
      lines.push(p[1] + ": " + items.slice(0, 6).map(function (x) { return clip(x, 80); }).join("; ") + more);
    });
    return lines.join("\n");
  }
  var tooltip = document.createElement("div");
  tooltip.className = "vis-tooltip";
  var tipText = document.createElement("div");
  tipText.className = "tip";
  tooltip.appendChild(tipText);
  container.appendChild(tooltip);
  renderer.on("enterNode", function (p) {
    tipText.textContent = nodeTip(Number(p.node));
    var d = renderer.framedGraphToViewport(renderer.getNodeDisplayData(p.node));
    tooltip.style.left = Math.min(d.x + 12, container.clientWidth - 200) + "px";
    tooltip.style.top = (d.y + 12) + "px";
    tooltip.style.visibility = "visible";
  });
  renderer.on("leaveNode", function () { tooltip.style.visibility = "hidden"; });

  // ---- the details panel ----
  var panel = document.getElementById("details");
  function select(list) {
    var changed = Object.keys(selected);
    selected = {};
    list.forEach(function (i) { selected[i] = true; changed.push(String(i)); });
    if (changed.length > N / 4) { renderer.refresh(); return; }
    // Only these actors look different: sigma redraws without going over the whole graph.
    renderer.refresh({partialGraph: {nodes: changed}, skipIndexation: true});
  }
  function showDetails(i) {
    var body = document.getElementById("details-body");
    body.textContent = "";
    function add(tag, text, cls, parent) {
      var el = document.createElement(tag);
      if (text !== null) { el.textContent = text; }
      if (cls) { el.className = cls; }
      (parent || body).appendChild(el);
      return el;
    }
    add("h2", D.nm[i]);
    add("p", [kindLabel(i), district(i)].filter(Boolean).join(" \u00b7 "), "meta");
    if (descs[i]) { add("p", descs[i]); }
    [[offers, T.offers], [needs, T.needs]].forEach(function (p) {
      var items = texts(p[0], i);
      if (!items.length) { return; }
      add("h3", p[1]);
      var ul = add("ul", null);
      items.forEach(function (x) { add("li", x, null, ul); });
    });
    var list = [];
    graph.forEachEdge(i, function (key, a, source, target) {
      list.push({out: Number(source) === i, other: Number(source) === i ? target : source, k: a.k});
    });
    list.sort(function (a, b) { return a.k - b.k; });
    if (list.length) {
      add("h3", T.neighbours + " (" + list.length + ")");
      var ul = add("ul", null);
      list.slice(0, 40).forEach(function (e) {
        add("li", (e.out ? "\u2192 " : "\u2190 ") + D.nm[e.other] + " ("
            + D.ties[edgeTie[e.k]][1].toLocaleLowerCase() + ")", null, ul);
      });
      if (list.length > 40) { add("p", T.more.replace("{n}", list.length - 40), "meta"); }
    }
    panel.hidden = false;
  }
  document.getElementById("details-close").addEventListener("click", function () {
    panel.hidden = true; select([]);
  });
  function clickNode(p) {
    var i = Number(p.node);
    select([i]);
    showDetails(i);
  }
  function clickStage() { panel.hidden = true; select([]); }
  renderer.on("clickNode", clickNode);
  renderer.on("clickStage", clickStage);
  // Sigma reports the second of two clicks within 300 ms as a double click only, and zooms:
  // here it is a click like the first (a planner clicking two actors quickly). A double click
  // on the background still zooms, as sigma does.
  renderer.on("doubleClickNode", function (p) { p.preventSigmaDefault(); clickNode(p); });
  state.showDetails = showDetails;

  // ---- search ----
  var names = document.getElementById("names"), listed = false;
  document.getElementById("search").addEventListener("focus", function () {
    if (listed) { return; }  // 50 000 options cost a moment: only for someone about to type
    listed = true;
    var seen = {}, frag = document.createDocumentFragment();
    D.nm.forEach(function (name) {
      if (seen[name]) { return; }
      seen[name] = true;
      var opt = document.createElement("option");
      opt.value = name;
      frag.appendChild(opt);
    });
    names.appendChild(frag);
  });
  var status = document.getElementById("search-status"), camera = renderer.getCamera();
  function show(ids) {  // the camera over these actors
    var xs = [], ys = [];
    ids.forEach(function (i) {
      var d = renderer.getNodeDisplayData(i);
      xs.push(d.x); ys.push(d.y);
    });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    var ratio = ids.length === 1 ? 0.15 : Math.min(1, Math.max(0.05, Math.max(x1 - x0, y1 - y0) * 1.3));
    camera.animate({x: (x0 + x1) / 2, y: (y0 + y1) / 2, ratio: ratio}, {duration: 400});
  }
  document.getElementById("search-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = document.getElementById("search").value.trim().toLocaleLowerCase();
    if (!q) { select([]); status.textContent = ""; return; }
    var ids = [];
    for (var i = 0; i < N; i++) {
      if (!hidden[i] && D.nm[i].toLocaleLowerCase().indexOf(q) >= 0) { ids.push(i); }
    }
    select(ids);
    if (!ids.length) { status.textContent = T.no_hits; return; }
    show(ids.length > 2000 ? ids.slice(0, 2000) : ids);
    if (ids.length === 1) { showDetails(ids[0]); }
    status.textContent = ids.length + " " + T.hits;
  });
  state.selected = function () {
    return Object.keys(selected).map(function (i) { return D.nm[i]; });
  };

  // ---- filters ----
  function checked(cls) {
    var on = {};
    document.querySelectorAll("input." + cls).forEach(function (box) { on[box.value] = box.checked; });
    return on;
  }
  function applyFilters() {
    var kinds = checked("f-kind"), ties = checked("f-tie");
    var d = document.getElementById("f-district").value;
    var cat = document.getElementById("f-category").value;
    var word = W.indexOf(d), catWord = W.indexOf(cat);
    for (var i = 0; i < N; i++) {
      var show = kinds[D.kinds[D.kd[i]][0]] !== false
        && (!d || D.di[i] === word)
        && (!cat || D.ct[i].indexOf(catWord) >= 0);
      hidden[i] = show ? 0 : 1;
    }
    tieOff = {};
    Object.keys(ties).forEach(function (g) { tieOff[g] = ties[g] === false; });
    renderer.refresh();
  }
  document.querySelectorAll("input.f-kind, input.f-tie, #f-category, #f-district").forEach(
    function (el) { el.addEventListener("change", applyFilters); });
  state.hiddenCount = function () {
    var n = 0;
    for (var i = 0; i < N; i++) { n += hidden[i]; }
    return n;
  };
  // Where an actor is drawn on the page (for a test or benchmark to hover or click it).
  state.point = function (name) {
    var i = D.nm.indexOf(name);
    if (i < 0) { return null; }
    var p = renderer.framedGraphToViewport(renderer.getNodeDisplayData(i));
    var box = container.getBoundingClientRect();
    return {x: box.left + p.x, y: box.top + p.y};
  };
})();
