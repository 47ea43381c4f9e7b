// The map page's behaviour (graphsvc, visualisations/map.py puts the data in GRAPHSVC_DATA).
// Every user string is handled as text: labels are drawn on the canvas, tooltips and the
// details panel are elements filled with textContent, datalist options get .value. A very
// large map starts as clusters (D.clusters) and opens one district at a time.
(function () {
  "use strict";
  var D = GRAPHSVC_DATA, T = D.text;
  function tip(s) {
    var el = document.createElement("div");
    el.className = "tip";
    el.textContent = s;
    return el;
  }
  var byId = {};
  D.nodes.forEach(function (n) { byId[n.id] = n; });
  function edgeTip(e) {
    var a = byId[e.from], b = byId[e.to], extra = [e.tl];
    if (e.st) { extra.push(T.strength + " " + e.st); }
    if (e.lv) { extra.push(T.level + " " + e.lv); }
    return a.name + " \u2192 " + b.name + "\n" + extra.join(", ");
  }
  function clip(s, n) {
    s = String(s).split(/\s+/).join(" ").trim();
    return s.length <= n ? s : s.slice(0, n - 1).trim() + "\u2026";
  }
  function nodeTip(n) {  // the same lines as encoding.tooltip_text
    var lines = [n.name, [n.kl, n.district].filter(Boolean).join(" \u00b7 ")];
    if (n.desc) { lines.push(clip(n.desc, 160)); }
    [["of", T.offers], ["ne", T.needs]].forEach(function (p) {
      var items = n[p[0]] || [];
      if (!items.length) { return; }
      var more = items.length > 6 ? " (+" + (items.length - 6) + ")" : "";
      lines.push(p[1] + ": " + items.slice(0, 6).map(function (i) { return clip(i, 80); }).join("; ") + more);
    });
    return lines.join("\n");
  }
  function prepNodes(list) {
    return list.map(function (n) {
      var o = Object.assign({}, n); o.title = tip(n.tip || nodeTip(n)); delete o.tip;
      delete o.of; delete o.ne; delete o.desc; return o;
    });
  }
  function prepEdges(list) {
    return list.map(function (e) {
      var o = Object.assign({}, e); o.title = tip(e.tip || edgeTip(e)); delete o.tip; return o;
    });
  }
  var mode = D.clusters ? "overview" : "full", current = null;
  var nodes = new vis.DataSet(prepNodes(D.clusters ? D.clusters.nodes : D.nodes));
  var edges = new vis.DataSet(prepEdges(D.clusters ? D.clusters.edges : D.edges));
  var options = D.options;
  options.physics = D.physics;
  var container = document.getElementById("network");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, options);
  var state = {network: network, nodes: nodes, edges: edges, ready: false,
               mode: function () { return mode; }};
  window.graphsvc = state;
  window.network = network;
  function ready() {
    var loading = document.getElementById("loading");
    if (loading) { loading.style.display = "none"; }
    state.ready = true;
    state.readyAt = performance.now();  // for benchmarks/bench_maps.py
    setTimeout(function () { declutter(); }, 0);
  }
  if (D.physics.enabled) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({physics: {enabled: false}});
      ready();
    });
  } else {
    network.once("afterDrawing", function () {
      // District islands reach past their actors: zoom out to show them whole.
      if (D.islands.length) { network.moveTo({scale: network.getScale() * 0.85}); }
      ready();
    });
    if (!D.nodes.length) { ready(); }
  }
  network.on("beforeDrawing", function (ctx) {
    if (D.islands.length && mode === "full") {  // actors grouped by district
      ctx.save();
      D.islands.forEach(function (d) {
        ctx.beginPath();
        ctx.arc(d.x, d.y, d.r, 0, 2 * Math.PI);
        ctx.fillStyle = "#f2f5f9"; ctx.fill();
        ctx.strokeStyle = "#c3cdd9"; ctx.lineWidth = 2; ctx.stroke();
      });
      ctx.font = "bold 22px system-ui, sans-serif"; ctx.textAlign = "center";
      ctx.fillStyle = "#3d4b5c";
      D.islands.forEach(function (d) { ctx.fillText(d.label, d.x, d.y - d.r - 12); });
      ctx.restore();
    }
    if (!D.rings.length || mode !== "full") { return; }
    ctx.save();
    D.rings.forEach(function (r) {
      ctx.beginPath();
      ctx.arc(0, 0, r.r, 0, 2 * Math.PI);
      ctx.strokeStyle = "#c8c8c8"; ctx.lineWidth = 2; ctx.setLineDash([10, 8]);
      ctx.stroke();
    });
    ctx.setLineDash([]);
    ctx.font = "bold 30px system-ui, sans-serif"; ctx.textAlign = "left";
    ctx.fillStyle = "#666";
    D.rings.forEach(function (r) { ctx.fillText(r.label, r.r * 0.72 + 12, -r.r * 0.72 - 12); });
    ctx.restore();
  });

  // ---- labels never drawn over each other: the marked and best connected win ----
  var measure = document.createElement("canvas").getContext("2d"), shown = {};
  var clusterById = {};
  if (D.clusters) { D.clusters.nodes.forEach(function (c) { clusterById[c.id] = c; }); }
  var labelMax = D.options.nodes.scaling.label.max;
  function declutter() {
    // Hub labels are large to be read from afar; zoomed in they would fill the screen.
    var want = Math.max(12, Math.min(D.options.nodes.scaling.label.max, 24 / network.getScale()));
    if (mode !== "overview" && Math.abs(want - labelMax) > 1) {
      labelMax = want;
      network.setOptions({nodes: {scaling: {label: {max: want}}}});
    }
    var lookup = mode === "overview" ? clusterById : byId;
    var scale = network.getScale(), body = network.body.nodes;
    var ids = nodes.getIds({filter: function (n) { return !n.hidden; }});
    if (ids.length > 3000) { return; }
    var items = ids.map(function (id) { return lookup[id]; }).filter(Boolean);
    items.sort(function (a, b) { return (b.mk ? 1e9 : b.value) - (a.mk ? 1e9 : a.value); });
    var boxes = [], updates = [];
    items.forEach(function (raw) {
      var n = body[raw.id];
      if (!n || !raw.label) { return; }
      var size = n.labelModule.fontOptions.size * scale;
      var keep = true;
      if (size >= 6) {  // vis-network draws from drawThreshold - 1
        var px = Math.min(size, raw.group === "individual" ? 14 : 20) / scale;
        measure.font = px + "px system-ui, sans-serif";
        var lines = raw.label.split("\n"), w = 0;
        lines.forEach(function (l) { w = Math.max(w, measure.measureText(l).width); });
        var half = (n.shape.height || (n.shape.radius || 10) * 2) / 2;
        var box = {l: n.x - w / 2, r: n.x + w / 2, t: n.y + half, b: n.y + half + lines.length * px * 1.2};
        keep = !boxes.some(function (o) { return box.l < o.r && o.l < box.r && box.t < o.b && o.t < box.b; });
        if (keep) { boxes.push(box); }
      }
      if (keep !== (shown[raw.id] !== false)) {
        shown[raw.id] = keep;
        updates.push({id: raw.id, label: keep ? raw.label : ""});
      }
    });
    if (updates.length) { nodes.update(updates); }
  }
  var pending = null;
  function later() { clearTimeout(pending); pending = setTimeout(declutter, 120); }
  network.on("zoom", later);
  network.on("dragEnd", later);
  state.declutter = declutter;

  // ---- drilling down from clusters to one district ----
  var byDistrict = null, back = document.getElementById("overview");
  function drill(d) {
    if (!byDistrict) {
      byDistrict = {};
      D.nodes.forEach(function (n) { (byDistrict[n.district] = byDistrict[n.district] || []).push(n); });
    }
    var members = byDistrict[d] || [], inside = {};
    members.forEach(function (n) { inside[n.id] = true; });
    nodes.clear(); edges.clear();
    nodes.add(prepNodes(members));
    edges.add(prepEdges(D.edges.filter(function (e) { return inside[e.from] && inside[e.to]; })));
    mode = "district"; current = d; shown = {};
    if (back) { back.hidden = false; }
    applyFilters();
    network.fit();
    later();
  }
  function overview() {
    nodes.clear(); edges.clear();
    nodes.add(prepNodes(D.clusters.nodes)); edges.add(prepEdges(D.clusters.edges));
    mode = "overview"; current = null; shown = {};
    back.hidden = true; panel.hidden = true;
    document.getElementById("f-district").value = "";
    applyFilters();
    network.fit();
    later();
  }
  state.drill = drill;
  if (back) { back.addEventListener("click", overview); }

  // ---- the details panel ----
  var panel = document.getElementById("details"), adj = null;
  function ties(id) {
    if (!adj) {
      adj = {};
      D.edges.forEach(function (e) {
        (adj[e.from] = adj[e.from] || []).push(e); (adj[e.to] = adj[e.to] || []).push(e);
      });
    }
    return adj[id] || [];
  }
  function showDetails(id) {
    var n = byId[id], body = document.getElementById("details-body");
    if (!n) { panel.hidden = true; return; }
    body.textContent = "";
    function add(tag, text, cls, parent) {
      var el = document.createElement(tag);
      if (text !== null) { el.textContent = text; }
      if (cls) { el.className = cls; }
      (parent || body).appendChild(el);
      return el;
    }
    add("h2", n.name);
    add("p", [n.kl, n.district].filter(Boolean).join(" \u00b7 "), "meta");
    if (n.desc) { add("p", n.desc); }
    [["of", T.offers], ["ne", T.needs]].forEach(function (p) {
      if (!n[p[0]]) { return; }
      add("h3", p[1]);
      var ul = add("ul", null);
      n[p[0]].forEach(function (s) { add("li", s, null, ul); });
    });
    var list = ties(id);
    if (list.length) {
      add("h3", T.neighbours + " (" + list.length + ")");
      var ul = add("ul", null);
      list.slice(0, 40).forEach(function (e) {
        var out = e.from === id, other = byId[out ? e.to : e.from];
        add("li", (out ? "\u2192 " : "\u2190 ") + other.name + " (" + e.tl.toLocaleLowerCase() + ")", null, ul);
      });
      if (list.length > 40) { add("p", T.more.replace("{n}", list.length - 40), "meta"); }
    }
    panel.hidden = false;
  }
  document.getElementById("details-close").addEventListener("click", function () {
    panel.hidden = true; network.unselectAll();
  });
  network.on("click", function (p) {
    if (mode === "overview") {
      if (p.nodes.length) { drill(nodes.get(p.nodes[0]).cd); }
      return;
    }
    if (p.nodes.length === 1) { showDetails(p.nodes[0]); } else { panel.hidden = true; }
  });
  state.showDetails = showDetails;

  // ---- search ----
  var names = document.getElementById("names");
  var seen = {};
  D.nodes.forEach(function (n) {
    if (!seen[n.name]) {
      seen[n.name] = true;
      var opt = document.createElement("option");
      opt.value = n.name;
      names.appendChild(opt);
    }
  });
  var status = document.getElementById("search-status");
  document.getElementById("search-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = document.getElementById("search").value.trim().toLocaleLowerCase();
    if (!q) { network.unselectAll(); status.textContent = ""; return; }
    function matches(n) { return n.name.toLocaleLowerCase().indexOf(q) >= 0; }
    if (mode !== "full") {
      var all = D.nodes.filter(matches);
      if (all.length && (mode === "overview" || !all.some(function (n) { return n.district === current; }))) {
        drill(all[0].district);
      }
    }
    var ids = nodes.getIds({filter: function (n) { return !n.hidden && matches(n); }});
    if (!ids.length) { network.unselectAll(); status.textContent = T.no_hits; return; }
    network.selectNodes(ids);
    if (ids.length === 1) {
      network.focus(ids[0], {scale: 1.3, animation: {duration: 400}});
      showDetails(ids[0]);
    } else { network.fit({nodes: ids, animation: {duration: 400}}); }
    setTimeout(later, 450);  // after the 400 ms animation
    status.textContent = ids.length + " " + T.hits;
  });

  // ---- filters ----
  function checked(cls) {
    var on = {};
    document.querySelectorAll("input." + cls).forEach(function (box) { on[box.value] = box.checked; });
    return on;
  }
  function applyFilters() {
    var kinds = checked("f-kind"), tieOn = checked("f-tie");
    var district = mode === "full" ? document.getElementById("f-district").value : "";
    var cat = mode === "overview" ? "" : document.getElementById("f-category").value;
    nodes.update(nodes.get().map(function (n) {
      var show = kinds[n.group] !== false
        && (!district || n.district === district)
        && (!cat || n.cats.indexOf(cat) >= 0);
      return {id: n.id, hidden: !show};
    }));
    edges.update(edges.get().map(function (e) { return {id: e.id, hidden: tieOn[e.tg] === false}; }));
    if (state.ready) { later(); }
  }
  document.querySelectorAll("input.f-kind, input.f-tie, #f-category").forEach(
    function (el) { el.addEventListener("change", applyFilters); });
  document.getElementById("f-district").addEventListener("change", function (ev) {
    if (mode === "full") { applyFilters(); return; }
    if (ev.target.value) { drill(ev.target.value); } else { overview(); }
  });
})();
