/* The workbench's core: window.WB (texts, API calls, panels, URL state, the map) and its own
   panels Finn, Profil, Last inn and Skriv ut. Plain JS, no build step. Every user string
   reaches the page as text (textContent, canvas labels), never as HTML. */
(function () {
  "use strict";

  const boot = JSON.parse(document.getElementById("wb-texts").textContent);
  const TEXTS = boot.texts;
  const LANG_ROUTES = (boot.lang_routes || []).map(([method, path]) => [
    method, new RegExp("^" + path.replace(/[.*+?^$()|[\]\\]/g, "\\$&")
      .replace(/\\?\{[^}]*\\?\}/g, "[^/]+") + "$")]);
  const WB = (window.WB = {});
  WB.lang = boot.lang;
  WB.ready = false;

  // ---- texts ------------------------------------------------------------------------------

  function said(value) {
    if (typeof value === "number" && !Number.isInteger(value)) {
      const s = String(Math.round(value * 1000) / 1000);
      return WB.lang === "nb" ? s.replace(".", ",") : s;
    }
    return value === undefined || value === null ? "" : String(value);
  }

  WB.t = function (key, vars) {
    const template = Object.prototype.hasOwnProperty.call(TEXTS, key) ? TEXTS[key] : key;
    vars = vars || {};
    return template.replace(/\{(\w+)(?::([^{}]*))?\}/g, (all, name, spec) => {
      if (spec !== undefined && spec.indexOf("|") >= 0) {
        const [one, many] = spec.split("|");
        return Number(vars[name]) === 1 ? one : many;
      }
      return name in vars ? said(vars[name]) : all;
    });
  };
  WB.number = (x, digits) => (digits === undefined ? x : Number(x))
    .toLocaleString(WB.lang === "nb" ? "nb-NO" : "en-GB",
                    digits === undefined ? {} : {maximumFractionDigits: digits});

  // ---- DOM helper: text only through textContent --------------------------------------------

  WB.el = function (tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key === "on") for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key === "value" || key === "checked" || key === "selected") node[key] = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    const add = (child) => {
      if (child === null || child === undefined || child === false) return;
      if (Array.isArray(child)) child.forEach(add);
      else node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    };
    children.forEach(add);
    return node;
  };
  const el = WB.el;

  // ---- the API -----------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, code, message, detail) {
      super(message);
      this.name = "ApiError";
      this.status = status;
      this.code = code;
      this.detail = detail || {};
    }
  }
  WB.ApiError = ApiError;

  function takesLang(method, path) {
    return LANG_ROUTES.some(([m, re]) => m === method && re.test(path));
  }

  WB.api = async function (path, opts) {
    opts = opts || {};
    const method = (opts.method || (opts.json || opts.form ? "POST" : "GET")).toUpperCase();
    const url = new URL(path, location.origin);
    const lookup = method === "HEAD" ? "GET" : method;
    if (!url.searchParams.has("lang") && takesLang(lookup, url.pathname)) {
      url.searchParams.set("lang", WB.lang);
    }
    const headers = {"Accept": "application/json", "Accept-Language": WB.lang};
    let body;
    if (opts.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.json);
    } else if (opts.form) {
      body = opts.form instanceof FormData ? opts.form : formData(opts.form);
    }
    if (!["GET", "HEAD", "OPTIONS"].includes(method) && session.csrf_token) {
      headers["X-CSRF-Token"] = session.csrf_token;
    }
    let response;
    try {
      response = await fetch(url.pathname + url.search, {method, headers, body,
                                                         credentials: "same-origin"});
    } catch (err) {
      throw new ApiError(0, "offline", WB.t("wb.core.offline"));
    }
    if (response.status === 204) return null;
    let data = null;
    const type = response.headers.get("content-type") || "";
    if (type.includes("json")) {
      try { data = await response.json(); } catch (err) { data = null; }
    }
    if (!response.ok) {
      const error = (data && data.error) || {};
      const failure = new ApiError(response.status, error.code || "http_error",
                                   error.message || WB.t("wb.core.error", {message: response.status}),
                                   error.detail);
      if (response.status === 401 && !opts.noSignIn) showSignIn(failure.message);
      throw failure;
    }
    return data;
  };

  function formData(fields) {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null) form.append(k, v);
    return form;
  }

  // ---- URL state (the hash) -------------------------------------------------------------------

  // #panel=finn&sel=<id>&z=<scale>,<x>,<y>&q=&kind=&district=&category=&p.<panel>=<json>
  const FILTERS = ["q", "kind", "district", "category"];
  let state = {panel: null, selected: null, view: null, filters: {}, params: {}};
  let written = "";

  function readHash() {
    const h = new URLSearchParams(location.hash.replace(/^#/, ""));
    const out = {panel: h.get("panel"), selected: h.get("sel"), view: null, filters: {},
                 params: {}};
    const z = (h.get("z") || "").split(",").map(Number);
    if (z.length === 3 && z.every(Number.isFinite) && z[0] > 0) {
      out.view = {scale: z[0], x: z[1], y: z[2]};
    }
    for (const f of FILTERS) if (h.get(f)) out.filters[f] = h.get(f);
    for (const [k, v] of h.entries()) {
      if (!k.startsWith("p.")) continue;
      try { out.params[k.slice(2)] = JSON.parse(v); } catch (err) { /* a hand-edited link */ }
    }
    return out;
  }

  function writeHash() {
    const h = new URLSearchParams();
    if (state.panel) h.set("panel", state.panel);
    if (state.selected) h.set("sel", state.selected);
    for (const f of FILTERS) if (state.filters[f]) h.set(f, state.filters[f]);
    if (state.view) {
      const v = state.view;
      h.set("z", [v.scale.toPrecision(4), Math.round(v.x), Math.round(v.y)].join(","));
    }
    for (const [id, p] of Object.entries(state.params)) {
      if (p && Object.keys(p).length) h.set("p." + id, JSON.stringify(p));
    }
    written = h.toString();
    const url = location.pathname + location.search + (written ? "#" + written : "");
    history.replaceState(null, "", url);
    updateLangLinks();
  }

  WB.state = {
    /** The view's state: {panel, params (the current panel's), filters, selected, view}. */
    get() {
      return {panel: state.panel, params: Object.assign({}, state.params[state.panel] || {}),
              filters: Object.assign({}, state.filters), selected: state.selected,
              view: state.view && Object.assign({}, state.view), all: JSON.parse(JSON.stringify(state.params))};
    },
    /** Change part of it; ``params`` replace the (given or current) panel's own params. */
    set(change) {
      change = change || {};
      const panel = change.panel || state.panel;
      if (change.params !== undefined && panel) state.params[panel] = Object.assign({}, change.params);
      if (change.filters !== undefined) state.filters = Object.assign({}, change.filters);
      if (change.selected !== undefined) state.selected = change.selected || null;
      if (change.view !== undefined) state.view = change.view;
      if (change.panel && change.panel !== state.panel) {
        state.panel = change.panel;
        writeHash();
        showPanel(change.panel);
        return;
      }
      writeHash();
    },
  };

  function updateLangLinks() {
    for (const a of document.querySelectorAll("#wb-lang a[data-lang]")) {
      a.setAttribute("href", "?lang=" + a.dataset.lang + (written ? "#" + written : ""));
    }
  }

  // ---- panels ------------------------------------------------------------------------------

  const panels = [];
  const byId = {};

  WB.panel = function (def) {
    if (!def || !def.id || byId[def.id]) throw new Error("WB.panel: a new id is needed");
    const p = Object.assign({order: 50}, def, {rendered: false});
    p.tab = el("button", {type: "button", role: "tab", id: "wb-tab-" + def.id,
                          "aria-controls": "wb-pane-" + def.id, "aria-selected": "false",
                          tabindex: "-1", text: def.title,
                          on: {click: () => WB.state.set({panel: def.id})}});
    p.pane = el("div", {role: "tabpanel", id: "wb-pane-" + def.id, class: "wb-pane",
                        "aria-labelledby": "wb-tab-" + def.id, hidden: true});
    p.body = el("div", {class: "wb-pane-body"});
    p.pane.append(el("h2", {text: def.title}), p.body);
    panels.push(p);
    byId[def.id] = p;
    if (document.getElementById("wb-tabs") && WB.ready) placePanels();
    return p.body;
  };

  function placePanels() {
    const tabs = document.getElementById("wb-tabs");
    const host = document.getElementById("wb-panel");
    panels.sort((a, b) => a.order - b.order);
    for (const p of panels) { tabs.append(p.tab); host.append(p.pane); }
  }

  function showPanel(id) {
    const p = byId[id] || panels[0];
    if (!p || !WB.ready) return;
    for (const other of panels) {
      const on = other === p;
      other.pane.hidden = !on;
      other.tab.setAttribute("aria-selected", on ? "true" : "false");
      other.tab.setAttribute("tabindex", on ? "0" : "-1");
    }
    const params = state.params[p.id] || {};
    try {
      if (!p.rendered) { p.rendered = true; if (p.render) p.render(p.body, params); }
      if (p.onShow) p.onShow(p.body, params);
    } catch (err) {
      showError(p.body, err);
    }
  }
  WB.showPanel = (id) => WB.state.set({panel: id});

  function tabKeys(event) {
    const order = panels.map((p) => p.tab);
    const i = order.indexOf(document.activeElement);
    if (i < 0) return;
    const next = {ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1,
                  Home: 0, End: order.length - 1}[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const tab = order[(next + order.length) % order.length];
    tab.focus();
    tab.click();
  }

  // ---- answers in a panel -----------------------------------------------------------------

  /** Show an answer: ``text`` (a string or a list of them) and an optional ``table``
      ({columns: [..], rows: [[cell, ..]], caption}); cells are text or nodes. */
  WB.result = function (target, answer) {
    answer = answer || {};
    target.replaceChildren();
    const lines = Array.isArray(answer.text) ? answer.text : (answer.text ? [answer.text] : []);
    for (const line of lines) target.append(line instanceof Node ? line : el("p", {text: line}));
    if (answer.table && !(answer.table.rows || []).length && answer.table.caption) {
      // an empty table would read as a broken answer: say there is nothing, in a sentence
      target.append(el("p", {class: "wb-table-empty",
                             text: WB.t("wb.core.table_empty", {caption: answer.table.caption})}));
    } else if (answer.table) {
      target.append(table(answer.table));
    }
    return target;
  };

  function table(spec) {
    const rows = spec.rows || [];
    const limit = spec.limit || rows.length;
    const body = el("tbody");
    let sortBy = null;
    let ascending = true;
    const fill = () => {
      let shown = rows.slice();
      if (sortBy !== null) {
        const key = (r) => { const c = r[sortBy]; return c instanceof Node ? c.textContent : c; };
        shown.sort((a, b) => {
          const x = key(a), y = key(b);
          const order = typeof x === "number" && typeof y === "number" ? x - y
            : String(x).localeCompare(String(y), WB.lang === "nb" ? "nb" : "en");
          return ascending ? order : -order;
        });
      }
      body.replaceChildren(...shown.slice(0, limit).map((r) => el("tr", null, r.map(
        (c) => el("td", null, c instanceof Node ? c : said(c))))));
    };
    const heads = (spec.columns || []).map((name, i) => el("th", {scope: "col"},
      spec.sortable === false ? name : el("button", {type: "button", class: "wb-sort",
        title: WB.t("wb.core.sort", {column: name}), text: name, on: {click: () => {
          ascending = sortBy === i ? !ascending : true;
          sortBy = i;
          fill();
        }}})));
    fill();
    const t = el("table", {class: "wb-table"},
      spec.caption ? el("caption", {text: spec.caption}) : null,
      el("thead", null, el("tr", null, heads)), body);
    if (rows.length > limit) {
      return el("div", null, t, el("p", {class: "wb-note",
                                         text: WB.t("wb.core.more", {n: rows.length - limit})}));
    }
    return t;
  }
  WB.table = table;

  function showError(target, err) {
    const message = err && err.message ? err.message : String(err);
    const box = el("p", {class: "wb-error", role: "alert",
                         text: WB.t("wb.core.error", {message})});
    target.append(box);
    return box;
  }
  WB.showError = showError;

  WB.actorLink = function (id, label) {
    const node = WB.map.node(id);
    const h = new URLSearchParams(written);
    h.set("panel", "profil");
    h.set("sel", id);
    return el("a", {href: "#" + h.toString(), class: "wb-actor", dataset: {actor: id},
                    text: label || (node ? node.label : id),
                    on: {click: (ev) => { ev.preventDefault(); WB.map.select(id, {zoom: true}); }}});
  };

  // ---- the map -------------------------------------------------------------------------------

  let network = null;
  let nodes = null;  // vis.DataSet
  let edges = null;
  let graph = null;  // graph.json
  let info = {};     // id -> node as shipped (WB.map.node)
  let degree = {};
  let base = {};     // id -> the node's own look, to restore after a highlight
  let shown = null;  // Set of ids the filters leave, or null for all
  WB.options = {kinds: [], categories: [], districts: [], initiatives: []};

  const EDGE_GREY = "#8c8c8c";

  function rows(columns, data) {
    return data.map((r) => { const o = {}; columns.forEach((c, i) => { o[c] = r[i]; }); return o; });
  }

  function tooltip(n) {
    const box = el("div", {class: "wb-tip"}, el("strong", {text: n.label}),
                   el("div", {text: [n.kind_label, n.district].filter(Boolean).join(" · ")}));
    if (n.offers.length) box.append(el("div", {text: WB.t("wb.profil.offers") + ": " + n.offers.slice(0, 4).join("; ")}));
    if (n.needs.length) box.append(el("div", {text: WB.t("wb.profil.needs") + ": " + n.needs.slice(0, 4).join("; ")}));
    return box;
  }

  function buildData(g) {
    graph = g;
    info = {};
    degree = {};
    base = {};
    const kindLabel = Object.fromEntries(g.legend.kinds.map((k) => [k[0], k[1]]));
    const list = rows(g.node_columns, g.nodes);
    const ids = list.map((n) => n.id);
    const visNodes = list.map((n) => {
      info[n.id] = {id: n.id, label: n.name, kind: n.kind, kind_label: kindLabel[n.kind] || "",
                    district: n.district, categories: n.categories, offers: n.offers,
                    needs: n.needs, size: n.size};
      degree[n.id] = 0;
      const group = g.groups[n.kind] ? n.kind : "unknown";
      base[n.id] = {group};
      return {id: n.id, label: n.label, group, x: n.x, y: n.y, value: n.size,
              title: tooltip(info[n.id])};
    });
    const visEdges = rows(g.edge_columns, g.edges).map((e, i) => {
      const from = ids[e.from], to = ids[e.to];
      degree[from] += 1;
      degree[to] += 1;
      return {id: "e" + i, from, to, tie: e.tie, tg: e.group, width: e.width,
              baseWidth: e.width, color: {color: EDGE_GREY, opacity: 0.8},
              dashes: dashesOf(e.group), title: (g.tie_labels[e.tie] || e.tie)};
    });
    WB.options = {
      kinds: g.choices.kinds, categories: g.choices.categories,
      districts: g.choices.districts, initiatives: g.choices.initiatives,
    };
    return {visNodes, visEdges};
  }

  function dashesOf(group) {
    const row = graph.legend.ties.find((t) => t[0] === group);
    return row ? row[3] : false;
  }

  function options(n) {
    return {
      groups: graph.groups,
      nodes: {
        borderWidth: 1,
        scaling: {min: 9, max: 36, label: {enabled: true, min: 8, max: n <= 60 ? 22 : 48,
                                           maxVisible: 20, drawThreshold: 7}},
        font: {face: "system-ui, sans-serif", color: "#111111", strokeWidth: 3,
               strokeColor: "#ffffff"},
      },
      edges: {
        color: {color: EDGE_GREY, highlight: "#000000", hover: "#333333", opacity: 0.8},
        smooth: false,
        arrows: {to: {enabled: true, scaleFactor: 0.4}},
        selectionWidth: 1.5,
      },
      physics: graph.physics || {enabled: false},
      interaction: {hover: n <= 1500, tooltipDelay: 150, hideEdgesOnDrag: n > 800,
                    hideEdgesOnZoom: n > 1500, keyboard: false, multiselect: false},
      layout: {improvedLayout: false},
    };
  }

  async function loadGraph() {
    const g = await WB.api("/workbench/graph.json");
    const {visNodes, visEdges} = buildData(g);
    // A layout that settled in this tab before, for this revision of the store: the same
    // picture again (and the address's zoom and centre mean the same), without the wait.
    const layoutKey = "wb-layout:" + g.revision + ":" + visNodes.length + ":" + visEdges.length;
    let settled = null;
    if (g.physics && g.physics.enabled) {
      try { settled = JSON.parse(sessionStorage.getItem(layoutKey) || "null"); } catch (err) { settled = null; }
      if (settled && visNodes.every((n) => settled[n.id])) {
        for (const n of visNodes) { n.x = settled[n.id][0]; n.y = settled[n.id][1]; }
        g.physics = {enabled: false};
      } else {
        settled = null;
      }
    }
    const container = document.getElementById("wb-map");
    if (network) network.destroy();
    nodes = new vis.DataSet(visNodes);
    edges = new vis.DataSet(visEdges);
    // Drawn as restyle's "plain" look from the start: a first restyle then updates only
    // what it changes (updating every node of a 5 000-actor map took 6.6 s).
    looks = Object.fromEntries(visNodes.map((n) => [n.id, "plain"]));
    edgeLooks = Object.fromEntries(visEdges.map((e) => [e.id, "plain"]));
    network = new vis.Network(container, {nodes, edges}, options(visNodes.length));
    WB.map.network = network;
    if (g.physics && g.physics.enabled && visNodes.length) {
      // The force layout settles once, then stays put (as on /maps/network.html).
      await new Promise((resolve) => network.once("stabilizationIterationsDone", () => {
        network.setOptions({physics: {enabled: false}});
        resolve();
      }));
      const at = network.getPositions();
      const keep = {};
      for (const [id, p] of Object.entries(at)) keep[id] = [Math.round(p.x), Math.round(p.y)];
      try { sessionStorage.setItem(layoutKey, JSON.stringify(keep)); } catch (err) { /* full */ }
    } else if (settled) {
      network.fit({animation: false});
    }
    WB.map.graph = g;
    network.on("click", (params) => {
      if (params.nodes.length) WB.map.select(params.nodes[0]);
    });
    let timer = null;
    const remember = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const p = network.getViewPosition();
        WB.state.set({view: {scale: network.getScale(), x: p.x, y: p.y}});
      }, 250);
    };
    network.on("zoom", remember);
    network.on("dragEnd", remember);
    document.getElementById("wb-kommune").textContent = g.kommune ? "– " + g.kommune : "";
    legend(g);
    applyFilters(state.filters, {fit: false});
    document.getElementById("wb-loading").hidden = true;
    return g;
  }
  WB.reload = async function () {
    const view = state.view;
    await loadGraph();
    if (state.selected && info[state.selected]) neighbours(state.selected);
    if (view) moveTo(view);
    for (const p of panels) if (p.rendered && p.onGraph) p.onGraph(p.body);
  };

  function moveTo(view) {
    network.moveTo({scale: view.scale, position: {x: view.x, y: view.y}, animation: false});
  }

  function legend(g) {
    const body = document.getElementById("wb-legend-body");
    const kinds = el("ul", {class: "wb-legend-kinds"}, g.legend.kinds.map(([kind, label, colour, shape, count]) =>
      el("li", null, el("span", {class: "wb-swatch wb-shape-" + shape, dataset: {colour},
                                 "aria-hidden": "true"}), label + " (" + count + ")")));
    const ties = el("ul", {class: "wb-legend-ties"}, g.legend.ties.map(([group, label, members]) =>
      el("li", null, el("span", {class: "wb-dash wb-dash-" + group, "aria-hidden": "true"}),
         el("span", null, label, el("small", {text: " " + members})))));
    body.replaceChildren(el("h3", {text: WB.t("wb.core.legend.actors")}), kinds,
                         el("h3", {text: WB.t("wb.core.legend.ties")}), ties,
                         el("p", {class: "wb-note", text: WB.t("wb.core.legend.size")}),
                         g.names ? null : el("p", {class: "wb-note", text: WB.t("wb.core.pseudonymised")}));
    // The swatch colours come from the data: set through the CSSOM (the CSP allows no
    // inline style attributes).
    for (const s of body.querySelectorAll(".wb-swatch")) s.style.backgroundColor = s.dataset.colour;
  }

  // -- looks: highlight, dim, restore --

  // The look each node and tie has now: only those whose look changes are updated (a
  // DataSet update redraws, and most of a large map keeps its look from one view to the next).
  let looks = {};
  let edgeLooks = {};

  function restyle(hiNodes, hiEdges, labels) {
    const dim = hiNodes.size > 0 || hiEdges.size > 0;
    const nodeUpdates = [];
    for (const id of nodes.getIds()) {
      const hidden = shown !== null && !shown.has(id);
      const look = (hidden ? "h" : "") + (hiNodes.has(id) ? "hi" : dim ? "dim" : "plain");
      if (looks[id] === look) continue;
      looks[id] = look;
      const kind = graph.groups[base[id].group];
      const up = {id, hidden, borderWidth: 1, opacity: 1, color: kind && kind.color,
                  font: {color: "#111111"}};
      if (hiNodes.has(id)) {
        const fill = kind && kind.color ? kind.color.background : "#999999";
        up.borderWidth = 4;
        up.color = {background: fill, border: "#000000",
                    highlight: {background: fill, border: "#000000"},
                    hover: {background: fill, border: "#000000"}};
      } else if (dim) {
        up.opacity = 0.25;
        up.font = {color: "rgba(17, 17, 17, 0.3)"};  // its label fades with it
      }
      nodeUpdates.push(up);
    }
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    const edgeUpdates = [];
    for (const e of edges.get()) {
      const key = e.from + "|" + e.to, back = e.to + "|" + e.from;
      const on = hiEdges.has(key) || hiEdges.has(back);
      const text = on ? (labels[key] || labels[back] || "") : "";
      const look = on ? "on:" + text : dim ? "dim" : "plain";
      if (edgeLooks[e.id] === look) continue;
      edgeLooks[e.id] = look;
      const up = {id: e.id, color: {color: EDGE_GREY, opacity: dim ? 0.12 : 0.8},
                  width: e.baseWidth || e.width, baseWidth: e.baseWidth || e.width};
      if (e.label) up.label = null;
      if (on) {
        up.color = {color: "#000000", opacity: 1};
        up.width = 4;
        if (text) {
          up.label = text;
          up.font = {size: 16, strokeWidth: 5, strokeColor: "#ffffff",
                     face: "system-ui, sans-serif", color: "#000000"};
        }
      }
      edgeUpdates.push(up);
    }
    if (edgeUpdates.length) edges.update(edgeUpdates);
    shownCount();
  }

  function neighbours(id) {
    const near = new Set([id]);
    const ties = new Set();
    for (const e of network.getConnectedEdges(id)) {
      const edge = edges.get(e);
      if (!edge) continue;
      near.add(edge.from);
      near.add(edge.to);
      ties.add(edge.from + "|" + edge.to);
    }
    restyle(near, ties, {});
    return near;
  }

  let lastHighlight = null;

  WB.map = {
    network: null,
    /** Emphasise nodes, ties ([from, to]) and a path (ids in order; its steps are ties);
        ``labels`` {"from|to": text} label the ties. Everything else is dimmed. */
    highlight(spec) {
      spec = spec || {};
      const hiNodes = new Set((spec.nodes || []).filter((id) => info[id]));
      const hiEdges = new Set();
      for (const [a, b] of spec.edges || []) { hiEdges.add(a + "|" + b); }
      const path = (spec.path || []).filter((id) => info[id]);
      path.forEach((id, i) => {
        hiNodes.add(id);
        if (i) hiEdges.add(path[i - 1] + "|" + id);
      });
      for (const key of hiEdges) for (const id of key.split("|")) if (info[id]) hiNodes.add(id);
      lastHighlight = spec;
      restyle(hiNodes, hiEdges, spec.labels || {});
      return hiNodes.size;
    },
    clear() {
      lastHighlight = null;
      restyle(new Set(), new Set(), {});
    },
    /** Zoom to these ids (all shown when none are given). */
    fit(ids) {
      const known = (ids || []).filter((id) => info[id]);
      const target = known.length ? known : (shown ? Array.from(shown) : nodes.getIds());
      if (target.length) network.fit({nodes: target, animation: false, maxZoomLevel: 2.5});
      const p = network.getViewPosition();
      WB.state.set({view: {scale: network.getScale(), x: p.x, y: p.y}});
    },
    /** Select an actor: its neighbours highlighted, the rest dimmed, and Profil opened. */
    select(id, opts) {
      if (!info[id]) return false;
      lastHighlight = null;
      network.selectNodes([id]);
      const near = neighbours(id);
      if (opts && opts.zoom) WB.map.fit(Array.from(near));
      const open = !(opts && opts.stay) && byId.profil;
      if (open && state.panel !== "profil") {
        WB.state.set({panel: "profil", selected: id});
      } else {
        WB.state.set({selected: id});
        if (state.panel === "profil") showPanel("profil");
      }
      return true;
    },
    node(id) { return info[id] ? Object.assign({}, info[id]) : null; },
    nodes() { return Object.keys(info); },
    degree(id) { return degree[id] || 0; },
    shown() { return shown ? Array.from(shown) : Object.keys(info); },
    /** The ids of the highlighted or selected actors (for tests and prints). */
    highlighted() {
      return nodes.get({filter: (n) => n.borderWidth === 4}).map((n) => n.id);
    },
    canvas() { return document.querySelector("#wb-map canvas"); },
  };

  // -- filters (Finn) --

  function fold(s) {
    return String(s || "").toLowerCase().replace(/ø/g, "o").replace(/æ/g, "ae").replace(/ß/g, "ss")
      .replace(/đ/g, "d").replace(/ł/g, "l").normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }
  WB.fold = fold;

  function matches(n, f) {
    if (f.kind && n.kind !== f.kind) return false;
    if (f.district && n.district !== f.district) return false;
    if (f.category && !n.categories.includes(f.category)) return false;
    return true;
  }

  /** Hide what the filters (kind, district, category) leave out and zoom to the rest. */
  function applyFilters(f, opts) {
    const any = f.kind || f.district || f.category;
    shown = any ? new Set(Object.values(info).filter((n) => matches(n, f)).map((n) => n.id)) : null;
    if (lastHighlight) WB.map.highlight(lastHighlight);
    else if (state.selected && info[state.selected]) neighbours(state.selected);
    else restyle(new Set(), new Set(), {});
    if (!opts || opts.fit !== false) WB.map.fit([]);
  }
  WB.filter = function (filters) {
    state.filters = Object.assign({}, filters);
    writeHash();
    applyFilters(state.filters);
  };

  /** "12 av 300 aktører vises": actors and initiatives counted apart (an initiative is not an
   *  actor), the initiatives only where the map has any. */
  function shownCount() {
    const count = {actor: [0, 0], initiative: [0, 0]};
    for (const n of Object.values(info)) {
      const c = count[n.kind === "initiative" ? "initiative" : "actor"];
      c[1] += 1;
      if (!shown || shown.has(n.id)) c[0] += 1;
    }
    const [n, total] = count.actor;
    const [i, itotal] = count.initiative;
    document.getElementById("wb-shown").textContent = itotal
      ? WB.t("wb.core.shown_with_initiatives", {n, total, i, itotal})
      : WB.t("wb.core.shown", {n, total});
  }

  // ---- the session (auth_contract.md) ----------------------------------------------------------

  let session = {keys_required: false, signed_in: false, role: "admin", names: false, who: null,
                 csrf_token: null};
  WB.session = () => Object.assign({}, session);

  async function loadSession() {
    try {
      session = await WB.api("/session", {noSignIn: true});
    } catch (err) {
      if (err.status !== 404) throw err;  // no sign-in on this server yet: no keys required
      session = {keys_required: false, signed_in: false, role: "admin", names: false,
                 who: null, csrf_token: null};
    }
    showSession();
    return session;
  }

  function showSession() {
    const box = document.getElementById("wb-session");
    if (!session.keys_required) {
      box.replaceChildren(el("span", {text: WB.t("wb.session.open")}));
      return;
    }
    if (!session.signed_in) {
      box.replaceChildren(el("span", {text: WB.t("wb.session.signed_out")}), " ",
        el("button", {type: "button", text: WB.t("wb.session.sign_in"), on: {click: () => showSignIn()}}));
      return;
    }
    const role = WB.t("wb.role." + session.role);
    box.replaceChildren(el("span", {text: WB.t("wb.session.signed_in", {who: session.who || "–", role})}),
      " ", el("button", {type: "button", id: "wb-sign-out", text: WB.t("wb.session.sign_out"),
                         on: {click: signOut}}));
  }

  async function signOut() {
    try { await WB.api("/session", {method: "DELETE", noSignIn: true}); } catch (err) { /* gone */ }
    location.reload();
  }

  let signInWaiters = [];
  function showSignIn(message) {
    const box = document.getElementById("wb-signin");
    if (!box.hidden) return new Promise((resolve) => signInWaiters.push(resolve));
    const key = el("input", {type: "password", id: "wb-key", name: "key", required: true,
                             autocomplete: "current-password", "aria-describedby": "wb-signin-help"});
    const status = el("p", {class: "wb-error", role: "alert", id: "wb-signin-error"});
    if (message) status.textContent = message;
    const form = el("form", {id: "wb-signin-form", "aria-labelledby": "wb-signin-title"},
      el("h2", {id: "wb-signin-title", text: WB.t("wb.session.title")}),
      el("p", {id: "wb-signin-help", text: WB.t("wb.session.help")}),
      el("label", {for: "wb-key", text: WB.t("wb.session.key")}), key,
      el("button", {type: "submit", text: WB.t("wb.session.submit")}), status);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      status.textContent = "";
      try {
        session = await WB.api("/session", {method: "POST", json: {key: key.value}, noSignIn: true});
        key.value = "";
        box.hidden = true;
        box.replaceChildren();
        document.getElementById("wb-main").removeAttribute("inert");
        showSession();
        const waiting = signInWaiters;
        signInWaiters = [];
        waiting.forEach((resolve) => resolve(session));
      } catch (err) {
        status.textContent = err.message;
      }
    });
    box.replaceChildren(el("div", {class: "wb-dialog", role: "dialog", "aria-modal": "true",
                                   "aria-labelledby": "wb-signin-title"}, form));
    box.hidden = false;
    document.getElementById("wb-main").setAttribute("inert", "");
    key.focus();
    return new Promise((resolve) => signInWaiters.push(resolve));
  }
  WB.signIn = showSignIn;

  // ---- start ---------------------------------------------------------------------------------

  async function start() {
    const hash = readHash();
    state = Object.assign(state, hash);
    document.getElementById("wb-tabs").addEventListener("keydown", tabKeys);
    document.getElementById("wb-show-all").addEventListener("click", () => {
      lastHighlight = null;
      state.selected = null;
      network.unselectAll();
      WB.filter({});
      const finn = byId.finn;
      if (finn && finn.rendered && finn.onReset) finn.onReset(finn.body);
    });
    document.getElementById("wb-copy").addEventListener("click", async () => {
      const done = document.getElementById("wb-copied");
      try {
        await navigator.clipboard.writeText(location.href);
        done.textContent = WB.t("wb.core.copied");
      } catch (err) {
        done.textContent = location.href;
      }
    });
    window.addEventListener("hashchange", () => {
      if (location.hash.replace(/^#/, "") === written) return;
      const next = readHash();
      state = Object.assign(state, next);
      restore();
    });
    updateLangLinks();
    try {
      await loadSession();
      if (session.keys_required && !session.signed_in) await showSignIn();
      await loadGraph();
    } catch (err) {
      document.getElementById("wb-loading").hidden = true;
      showError(document.getElementById("wb-panel"), err);
      return;
    }
    WB.ready = true;
    placePanels();
    restore();
    window.dispatchEvent(new Event("wb:ready"));
  }

  function restore() {
    applyFilters(state.filters, {fit: !state.view});
    if (state.selected && info[state.selected]) {
      network.selectNodes([state.selected]);
      neighbours(state.selected);
    }
    if (state.view) moveTo(state.view);
    const panel = byId[state.panel] ? state.panel : (panels[0] && panels[0].id);
    state.panel = panel;
    writeHash();
    showPanel(panel);
  }

  document.addEventListener("DOMContentLoaded", start);
})();
