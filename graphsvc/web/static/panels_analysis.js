/* The workbench's analysis panels: Hvem kan hjelpe? (/match), Hva mangler? (/gaps and
 * /coverage), Vei (/paths), Team (/teams) and Brobyggere (/brokers). Each panel keeps its inputs in the URL state
 * (WB.state, so a link reopens the answer), shows the API's answer as text and a table, and
 * highlights it on the map. Loaded after workbench.js; uses only window.WB. Texts only through
 * textContent (WB.el), never innerHTML: names come from the data. */
(function () {
  "use strict";
  var WB = window.WB;
  if (!WB) { return; }
  var t = function (key, vars) { return WB.t(key, vars); };
  var el = function () { return WB.el.apply(null, arguments); };

  // ---- small helpers of these panels ------------------------------------------------------

  function num(x) {
    return Number(x).toLocaleString(WB.lang === "en" ? "en-GB" : "nb-NO",
                                    {maximumFractionDigits: 3});
  }

  function percent(share) {  // a share in [0, 1] as "14,16 %" (the sign never on a line alone)
    return Number(100 * share).toLocaleString(WB.lang === "en" ? "en-GB" : "nb-NO",
                                              {maximumFractionDigits: 2}) + "\u00a0%";
  }

  function query(path, params) {
    var q = new URLSearchParams();
    Object.keys(params).forEach(function (k) {
      var v = params[k];
      if (v === undefined || v === null || v === "") { return; }
      q.set(k, String(v));
    });
    var s = q.toString();
    return s ? path + "?" + s : path;
  }

  function field(id, labelText, control) {
    control.id = id;
    return el("div", {class: "wb-field"}, el("label", {for: id}, labelText), control);
  }

  function select(options, emptyLabel) {
    var s = el("select", {});
    if (emptyLabel !== undefined) { s.appendChild(el("option", {value: ""}, emptyLabel)); }
    (options || []).forEach(function (o) { s.appendChild(el("option", {value: o[0]}, o[1])); });
    return s;
  }

  function refill(s, options) {
    var value = s.value;
    while (s.options.length > 1) { s.remove(1); }
    (options || []).forEach(function (o) { s.appendChild(el("option", {value: o[0]}, o[1])); });
    setSelect(s, value);
  }

  function setSelect(s, value) {
    s.value = value || "";
    if (s.value !== (value || "")) { s.value = ""; }
  }

  function nodeLabel(id) {
    var n = WB.map.node(id);
    return n ? (n.name || n.label || id) : id;
  }

  function selectedOnMap() {
    var s = WB.state.get() || {};
    return s.selected || null;
  }

  // An actor chosen by name: a text input with suggestions from the map's own data (every
  // actor, and the initiatives where the panel takes them, named as the role may see them;
  // GET /actors?q= where the core offers no WB.map.nodes), resolved to the API's id when the
  // task runs; or the actor selected on the map.
  function actorPicker(id, labelText, withInitiatives) {
    var input = el("input", {type: "text", autocomplete: "off", list: id + "-list",
                             placeholder: t("wb.analysis.actor_hint")});
    var list = el("datalist", {id: id + "-list"});
    var known = {};  // shown name -> id
    var chosen = null;
    var timer = null;

    function remember(name, actorId) {
      known[name] = actorId;
    }
    function fold(text) {
      return WB.fold ? WB.fold(text) : String(text || "").toLocaleLowerCase();
    }
    function wanted(node) {
      return node && (node.kind !== "initiative" || withInitiatives);
    }
    // What the map holds whose name has the text in it (the map carries every actor and
    // initiative, named as the role may see them); the API's search where the map cannot.
    function local(text) {
      if (!WB.map.nodes) { return null; }
      var folded = fold(text);
      return WB.map.nodes().map(WB.map.node).filter(function (n) {
        return wanted(n) && fold(n.label).indexOf(folded) >= 0;
      });
    }
    function fillList(found) {
      while (list.firstChild) { list.removeChild(list.firstChild); }
      found.slice(0, 12).forEach(function (n) {
        remember(n.label, n.id);
        list.appendChild(el("option", {value: n.label}));
      });
    }
    function suggest() {
      var text = input.value.trim();
      if (text.length < 2) { return; }
      var found = local(text);
      if (found) { fillList(found); return; }
      WB.api(query("/actors", {q: text, limit: 12})).then(function (answer) {
        fillList((answer.data || []).map(function (a) { return {id: a.id, label: a.name}; }));
      }, function () { /* suggestions are a convenience; the task reports its own errors */ });
    }
    input.addEventListener("input", function () {
      chosen = null;
      clearTimeout(timer);
      timer = setTimeout(suggest, 200);
    });
    var fromMap = el("button", {type: "button", class: "wb-from-map"}, t("wb.analysis.from_map"));
    var box = el("div", {class: "wb-field wb-actor"},
                 el("label", {for: id}, labelText), input, list, fromMap);
    input.id = id;
    var picker = {
      box: box,
      input: input,
      set: function (actorId) {
        chosen = actorId || null;
        input.value = actorId ? nodeLabel(actorId) : "";
        if (actorId) { remember(input.value, actorId); }
      },
      // The id of what is typed: the one chosen, a suggestion's, or the one exact (or only)
      // hit of the name; null when empty; rejects when nothing is called so.
      resolve: function () {
        var text = input.value.trim();
        if (!text) { return Promise.resolve(null); }
        if (chosen && nodeLabel(chosen) === text) { return Promise.resolve(chosen); }
        if (known[text]) { return Promise.resolve(known[text]); }
        if (wanted(WB.map.node(text))) { return Promise.resolve(text); }
        var found = local(text);
        var pick = function (hits) {
          var exact = hits.filter(function (n) { return fold(n.label) === fold(text); });
          return exact.length === 1 ? exact[0] : (hits.length === 1 ? hits[0] : null);
        };
        var unknown = function () {
          return new Error(t("wb.analysis.unknown_actor", {name: text}));
        };
        if (found) {
          var hit = pick(found);
          if (!hit) { return Promise.reject(unknown()); }
          remember(hit.label, hit.id);
          return Promise.resolve(hit.id);
        }
        return WB.api(query("/actors", {q: text, limit: 20})).then(function (answer) {
          var hit = pick((answer.data || []).map(function (a) {
            return {id: a.id, label: a.name};
          }));
          if (!hit) { throw unknown(); }
          remember(hit.label, hit.id);
          return hit.id;
        });
      }
    };
    fromMap.addEventListener("click", function () {
      var sel = selectedOnMap();
      if (picker.status) { say(picker.status, sel ? "" : t("wb.analysis.no_selection"), !sel); }
      if (sel) { picker.set(sel); }
    });
    return picker;
  }

  // One panel's frame: intro, form, a line for errors and progress, and the answer.
  function frame(el0, intro) {
    while (el0.firstChild) { el0.removeChild(el0.firstChild); }
    var form = el("form", {class: "wb-form", novalidate: ""});
    var status = el("p", {class: "wb-status", role: "status", "aria-live": "polite"});
    var answer = el("div", {class: "wb-answer", "aria-live": "polite"});
    el0.appendChild(el("p", {class: "wb-intro"}, intro));
    el0.appendChild(form);
    el0.appendChild(status);
    el0.appendChild(answer);
    return {form: form, status: status, answer: answer};
  }

  function clear(node) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
  }

  function say(status, text, isError) {
    status.textContent = text || "";
    status.classList.toggle("wb-error", !!isError);
  }

  function failed(status) {
    return function (err) {
      say(status, (err && err.message) || String(err), true);
    };
  }

  function clean(params) {
    var out = {};
    Object.keys(params || {}).forEach(function (k) {
      if (params[k] !== undefined && params[k] !== null && params[k] !== "" &&
          params[k] !== false && params[k] !== 0) { out[k] = params[k]; }
    });
    return out;
  }

  function setParams(panel, params) {
    WB.state.set({panel: panel, params: clean(params)});
  }

  function same(a, b) {
    var x = clean(a), y = clean(b);
    var kx = Object.keys(x).sort(), ky = Object.keys(y).sort();
    return JSON.stringify(kx.map(function (k) { return [k, String(x[k])]; })) ===
           JSON.stringify(ky.map(function (k) { return [k, String(y[k])]; }));
  }

  function edgesOf(ids) {
    var out = [];
    for (var i = 1; i < ids.length; i++) { out.push([ids[i - 1], ids[i]]); }
    return out;
  }

  function list(items, render) {
    var ul = el("ul", {});
    items.forEach(function (item) { ul.appendChild(el("li", {}, render(item))); });
    return ul;
  }

  function sentences(lines) {
    return list(lines, function (s) { return s; });
  }

  function uniq(ids) {
    var seen = {};
    return ids.filter(function (id) {
      if (!id || seen[id]) { return false; }
      seen[id] = true;
      return true;
    });
  }

  function shown(panel) {
    return (WB.state.get() || {}).panel === panel;
  }

  function onMapOnly(ids) {
    return ids.filter(function (id) { return !!WB.map.node(id); });
  }

  // A panel that runs its task when the URL state gives it what it needs (a shared link), and
  // again whenever the state's params change (back/forward, a pasted link).
  function definePanel(spec) {
    var ui = null;
    var last = null;
    var asked = 0;
    function run(params) {
      last = clean(params);
      var mine = ++asked;
      // Only the answer to the latest question is shown (an earlier one may come back later),
      // and drawn on the map only while the panel is the one shown.
      spec.run(ui, last, function () { return mine === asked; });
    }
    WB.panel({
      id: spec.id,
      title: t(spec.title),
      order: spec.order,
      render: function (root, params) {
        ui = spec.build(root, function (params) {
          setParams(spec.id, params);
          run(clean(params));
        });
        // A choice inside an answer (which offer's path, which gap) changes the params but
        // needs no new answer: remembered, so onShow does not ask again.
        ui.last = function (params) { last = clean(params); };
        spec.fill(ui, params || {});
        if (spec.ready(params || {})) { run(params); }
      },
      // After an import the map is redrawn: the choices may have grown.
      onGraph: function () {
        if (ui && spec.refresh) { spec.refresh(ui); }
      },
      onShow: function (root, params) {
        if (!ui) { return; }
        params = params || {};
        if (!same(params, last)) {
          spec.fill(ui, params);
          if (spec.ready(params)) { run(params); }
        } else if (spec.redraw) {
          spec.redraw(ui);
        }
      }
    });
  }

  // ---- Hvem kan hjelpe? --------------------------------------------------------------------

  definePanel({
    id: "match",
    order: 30,
    title: "wb.match.title",
    ready: function (p) { return !!p.category; },
    build: function (root, submit) {
      var ui = frame(root, t("wb.match.intro"));
      ui.category = select(WB.options.categories, t("wb.match.choose_category"));
      ui.district = select(WB.options.districts, t("wb.analysis.whole_kommune"));
      ui.seeker = actorPicker("wb-match-seeker", t("wb.match.seeker"), true);
      ui.seeker.status = ui.status;
      ui.form.appendChild(field("wb-match-category", t("wb.match.category"), ui.category));
      ui.form.appendChild(field("wb-match-district", t("wb.analysis.district"), ui.district));
      ui.form.appendChild(ui.seeker.box);
      ui.form.appendChild(el("button", {type: "submit"}, t("wb.match.submit")));
      ui.form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        if (!ui.category.value) { say(ui.status, t("wb.match.need_category"), true); return; }
        ui.seeker.resolve().then(function (seeker) {
          submit({category: ui.category.value, district: ui.district.value, seeker: seeker});
        }, failed(ui.status));
      });
      return ui;
    },
    refresh: function (ui) {
      refill(ui.category, WB.options.categories);
      refill(ui.district, WB.options.districts);
    },
    fill: function (ui, p) {
      setSelect(ui.category, p.category);
      setSelect(ui.district, p.district);
      ui.seeker.set(p.seeker);
    },
    run: function (ui, p, fresh) {
      say(ui.status, t("wb.analysis.busy"));
      clear(ui.answer);
      WB.api(query("/match", {category: p.category, district: p.district, seeker: p.seeker,
                              limit: 10}))
        .then(function (answer) {
          if (!fresh()) { return; }
          say(ui.status, "");
          ui.data = answer;
          showMatch(ui, answer, Number(p.pick || 1));
        }, function (err) { if (fresh()) { failed(ui.status)(err); } });
    },
    redraw: function (ui) {
      if (ui.data) { highlightMatch(ui, ui.data, ui.pick || 1); }
    }
  });

  // The introducing path of a result: the introducer (the seeker, or the district's
  // frivilligsentral), the actors between, the one who offers.
  function introPath(answer, r) {
    if (r.social_distance === null || r.social_distance === undefined) { return []; }
    if (r.social_distance === 0 || !answer.introducer) { return [r.actor.id]; }
    return [answer.introducer.id].concat(r.introducers.map(function (a) { return a.id; }),
                                         [r.actor.id]);
  }

  function highlightMatch(ui, answer, pick) {
    if (!shown("match")) { return; }
    var chosen = answer.results[pick - 1] || answer.results[0];
    var path = chosen ? onMapOnly(introPath(answer, chosen)) : [];
    var nodes = onMapOnly(uniq(answer.results.map(function (r) { return r.actor.id; })
      .concat(answer.query.seeker ? [answer.query.seeker] : [])));
    WB.map.highlight({nodes: nodes, edges: edgesOf(path), path: path, labels: {}});
    WB.map.fit(path.length > 1 ? path : nodes);
  }

  function showMatch(ui, answer, pick) {
    clear(ui.answer);
    var results = answer.results || [];
    var category = answer.query.category_name;
    if (!results.length) {
      WB.result(ui.answer, {text: t("wb.match.nothing", {category: category})});
      WB.map.highlight({nodes: [], edges: [], path: [], labels: {}});
      return;
    }
    if (pick < 1 || pick > results.length) { pick = 1; }
    ui.pick = pick;
    WB.result(ui.answer, {
      text: t("wb.match.answer", {n: results.length, category: category,
                                  candidates: answer.candidates, first: results[0].actor.name}),
      table: {
        caption: t("wb.match.ranked"),
        columns: [t("wb.match.col.rank"), t("wb.match.col.actor"), t("wb.match.col.score"),
                  t("wb.match.col.steps")],
        rows: results.map(function (r) {
          return [r.rank, WB.actorLink(r.actor.id, r.actor.name), num(r.score),
                  r.social_distance === null ? "–" : String(r.social_distance)];
        })
      }
    });
    var ol = el("ol", {class: "wb-offers"});
    results.forEach(function (r, i) {
      var button = el("button", {type: "button", class: "wb-show-path",
                                 "aria-pressed": String(i + 1 === pick)},
                      i + 1 === pick ? t("wb.analysis.shown_on_map")
                                     : t("wb.match.path", {name: r.actor.name}));
      button.addEventListener("click", function () {
        var p = Object.assign({}, (WB.state.get() || {}).params || {}, {pick: i + 1});
        ui.last(p);
        setParams("match", p);
        showMatch(ui, answer, i + 1);
      });
      ol.appendChild(el("li", {class: "wb-offer", "data-actor": r.actor.id},
                        el("p", {class: "wb-offer-head"}, WB.actorLink(r.actor.id, r.actor.name),
                           " · " + num(r.score)),
                        sentences(r.explanation),
                        button));
    });
    ui.answer.appendChild(ol);
    highlightMatch(ui, answer, pick);
  }

  // ---- Hva mangler? ------------------------------------------------------------------------

  definePanel({
    id: "gaps",
    order: 40,
    title: "wb.gaps.title",
    ready: function (p) { return !!p.run; },
    build: function (root, submit) {
      var ui = frame(root, t("wb.gaps.intro"));
      ui.district = select(WB.options.districts, t("wb.analysis.whole_kommune"));
      ui.form.appendChild(field("wb-gaps-district", t("wb.analysis.district"), ui.district));
      ui.form.appendChild(el("button", {type: "submit"}, t("wb.gaps.submit")));
      ui.form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        submit({district: ui.district.value, run: 1});
      });
      return ui;
    },
    refresh: function (ui) { refill(ui.district, WB.options.districts); },
    fill: function (ui, p) { setSelect(ui.district, p.district); },
    run: function (ui, p, fresh) {
      say(ui.status, t("wb.analysis.busy"));
      clear(ui.answer);
      Promise.all([WB.api(query("/gaps", {district: p.district, limit: 50})),
                   WB.api(query("/coverage", {district: p.district, limit: 20}))])
        .then(function (both) {
          if (!fresh()) { return; }
          say(ui.status, "");
          ui.data = both;
          showGaps(ui, both[0], both[1], p.show);
        }, function (err) { if (fresh()) { failed(ui.status)(err); } });
    },
    redraw: function (ui) {
      if (ui.data) { highlightGaps(ui, ui.data[0], ui.shown); }
    }
  });

  function gapGroups(gaps) {
    return {
      unmet: uniq(gaps.unmet_needs.items.map(function (i) { return i.holder && i.holder.id; })),
      isolated: uniq(gaps.isolated.items.map(function (i) { return i.id; })),
      kinds: uniq([].concat.apply([], gaps.districts.without_frivilligsentral.map(function (d) {
        return (d.served_by || []).map(function (s) { return s.id; });
      })))
    };
  }

  function highlightGaps(ui, gaps, show) {
    ui.shown = show;
    if (!shown("gaps")) { return; }
    var groups = gapGroups(gaps);
    var ids = show && groups[show] ? groups[show] : groups.unmet.concat(groups.isolated);
    ids = onMapOnly(uniq(ids));
    WB.map.highlight({nodes: ids, edges: [], path: [], labels: {}});
    if (ids.length) { WB.map.fit(ids); }
    if (ui.highlighted) { ui.highlighted.textContent = t("wb.gaps.highlighted", {n: ids.length}); }
  }

  // The API's sentence with the actor it names first as a link to the actor (the sentence
  // stays the API's own, in the page's language).
  function linked(sentence, actor) {
    if (!actor) { return sentence; }
    if (sentence.indexOf(actor.name) === 0) {
      return el("span", {}, WB.actorLink(actor.id, actor.name),
                sentence.slice(actor.name.length));
    }
    return el("span", {}, WB.actorLink(actor.id, actor.name), ": " + sentence);
  }

  function section(ui, titleKey, group, items, render) {
    var head = el("h3", {}, t(titleKey));
    var box = el("section", {class: "wb-gap", "data-gap": group || ""}, head);
    if (group && gapGroups(ui.data[0])[group].length) {
      var b = el("button", {type: "button", class: "wb-show-gap"}, t("wb.analysis.show_on_map"));
      b.addEventListener("click", function () {
        var p = Object.assign({}, (WB.state.get() || {}).params || {}, {show: group});
        ui.last(p);
        setParams("gaps", p);
        highlightGaps(ui, ui.data[0], group);
      });
      box.appendChild(b);
    }
    box.appendChild(items.length ? list(items, render) : el("p", {}, t("wb.gaps.none")));
    ui.answer.appendChild(box);
  }

  function showGaps(ui, gaps, coverage, show) {
    clear(ui.answer);
    var s = gaps.summary;
    var where = gaps.district || t("wb.analysis.whole_kommune").toLocaleLowerCase();
    WB.result(ui.answer, {
      text: t("wb.gaps.answer", {unmet: s.unmet_needs, shortfalls: s.shortfalls,
                                 isolated: s.isolated, where: where}),
      table: {
        caption: t("wb.gaps.shortfalls"),
        columns: [t("wb.analysis.district"), t("wb.gaps.col.category"),
                  t("wb.gaps.col.demand"), t("wb.gaps.col.supply")],
        rows: gaps.demand_supply.items.map(function (i) {
          return [i.district || "", i.category_name, String(i.demand), String(i.supply)];
        })
      }
    });
    if (gaps.stale) { ui.answer.appendChild(el("p", {class: "wb-note"}, t("wb.analysis.stale"))); }
    ui.highlighted = el("p", {class: "wb-highlighted", "aria-live": "polite"});
    ui.answer.appendChild(ui.highlighted);
    section(ui, "wb.gaps.unmet", "unmet", gaps.unmet_needs.items, function (i) {
      return linked(i.explanation, i.holder);
    });
    if (gaps.unmet_needs.count > gaps.unmet_needs.items.length) {
      ui.answer.appendChild(el("p", {}, t("wb.analysis.more",
        {n: gaps.unmet_needs.count - gaps.unmet_needs.items.length})));
    }
    var missing = [];
    (coverage.districts || []).forEach(function (d) {
      (d.missing || []).forEach(function (m) {
        missing.push({district: d.name || d.district, what: m.explanation});
      });
    });
    section(ui, "wb.gaps.missing_kinds", "kinds", missing, function (m) {
      return t("wb.gaps.kind_missing", m);
    });
    section(ui, "wb.gaps.isolated", "isolated", gaps.isolated.items, function (a) {
      return WB.actorLink(a.id, a.name);
    });
    var seenGroup = {};
    var weak = (gaps.groups.without_bridging || []).concat(gaps.groups.without_linking || [])
      .filter(function (g) {
        if (seenGroup[g.label]) { return false; }
        seenGroup[g.label] = true;
        return true;
      });
    section(ui, "wb.gaps.groups", null, weak, function (g) { return g.explanation; });
    section(ui, "wb.gaps.coverage", null, (coverage.explanation || [])
      .concat((coverage.invite || []).map(function (i) { return i.explanation || i.name; })),
            function (line) { return String(line); });
    highlightGaps(ui, gaps, show);
  }

  // ---- Vei ---------------------------------------------------------------------------------

  definePanel({
    id: "paths",
    order: 50,
    title: "wb.path.title",
    ready: function (p) { return !!p.source; },
    build: function (root, submit) {
      var ui = frame(root, t("wb.path.intro"));
      ui.source = actorPicker("wb-path-source", t("wb.path.source"), false);
      ui.target = actorPicker("wb-path-target", t("wb.path.target"), false);
      ui.source.status = ui.target.status = ui.status;
      ui.alternatives = el("input", {type: "checkbox", id: "wb-path-alternatives"});
      ui.form.appendChild(ui.source.box);
      ui.form.appendChild(ui.target.box);
      ui.form.appendChild(el("p", {class: "wb-check"},
                             el("label", {for: "wb-path-alternatives"}, ui.alternatives,
                                " " + t("wb.path.alternatives"))));
      ui.form.appendChild(el("button", {type: "submit"}, t("wb.path.submit")));
      ui.form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        Promise.all([ui.source.resolve(), ui.target.resolve()]).then(function (ids) {
          if (!ids[0]) { say(ui.status, t("wb.path.need_source"), true); return; }
          submit({source: ids[0], target: ids[1], alt: ui.alternatives.checked ? 1 : 0});
        }, failed(ui.status));
      });
      return ui;
    },
    fill: function (ui, p) {
      ui.source.set(p.source);
      ui.target.set(p.target);
      ui.alternatives.checked = !!Number(p.alt || 0);
    },
    run: function (ui, p, fresh) {
      say(ui.status, t("wb.analysis.busy"));
      clear(ui.answer);
      WB.api(query("/paths", {source: p.source, target: p.target,
                              alternatives: Number(p.alt || 0) ? 2 : 0}))
        .then(function (answer) {
          if (!fresh()) { return; }
          say(ui.status, "");
          ui.data = answer;
          showPaths(ui, answer, Number(p.pick || 1));
        }, function (err) { if (fresh()) { failed(ui.status)(err); } });
    },
    redraw: function (ui) {
      if (ui.data && ui.data.found) { highlightPath(ui.data.paths[(ui.pick || 1) - 1]); }
    }
  });

  function highlightPath(path) {
    if (!path || !shown("paths")) { return; }
    var ids = path.nodes.map(function (n) { return n.id; });
    var labels = {};
    path.hops.forEach(function (h) { labels[h.from.id + "|" + h.to.id] = h.class_name; });
    WB.map.highlight({nodes: ids, edges: edgesOf(ids), path: ids, labels: labels});
    WB.map.fit(ids);
  }

  function showPaths(ui, answer, pick) {
    clear(ui.answer);
    if (!answer.found || !answer.paths.length) {
      WB.result(ui.answer, {text: answer.explanation || t("wb.path.none")});
      WB.map.highlight({nodes: [], edges: [], path: [], labels: {}});
      return;
    }
    if (pick < 1 || pick > answer.paths.length) { pick = 1; }
    ui.pick = pick;
    var best = answer.paths[pick - 1];
    WB.result(ui.answer, {
      text: best.explanation,
      table: {
        caption: best.label,
        columns: [t("wb.path.col.from"), t("wb.path.col.to"), t("wb.path.col.class"),
                  t("wb.path.col.tie"), t("wb.path.col.strength")],
        rows: best.hops.map(function (h) {
          return [h.from.name, h.to.name, h.class_name, h.tie_name, num(h.strength)];
        })
      }
    });
    answer.paths.forEach(function (path, i) {
      var steps = el("ol", {class: "wb-steps"});
      path.hops.forEach(function (h) {
        steps.appendChild(el("li", {class: "wb-step", "data-class": h.class},
          el("span", {}, WB.actorLink(h.from.id, h.from.name), " → ",
             WB.actorLink(h.to.id, h.to.name), ": "),
          el("strong", {class: "wb-class"}, h.class_name),
          " (" + h.tie_name + ", " + t("wb.path.col.strength").toLocaleLowerCase() + " " +
            num(h.strength) + ")",
          el("br", {}), el("small", {}, h.explanation)));
      });
      var button = el("button", {type: "button", class: "wb-show-path",
                                 "aria-pressed": String(i + 1 === pick)},
                      i + 1 === pick ? t("wb.analysis.shown_on_map")
                                     : t("wb.analysis.show_on_map"));
      button.addEventListener("click", function () {
        var p = Object.assign({}, (WB.state.get() || {}).params || {}, {pick: i + 1});
        ui.last(p);
        setParams("paths", p);
        showPaths(ui, answer, i + 1);
      });
      ui.answer.appendChild(el("section", {class: "wb-path", "data-pick": String(i + 1)},
                               el("h3", {}, path.label), el("p", {}, path.explanation),
                               steps, button));
    });
    highlightPath(best);
  }

  // ---- Team --------------------------------------------------------------------------------

  definePanel({
    id: "teams",
    order: 60,
    title: "wb.team.title",
    ready: function (p) { return !!p.initiative; },
    build: function (root, submit) {
      var ui = frame(root, t("wb.team.intro"));
      ui.initiative = select(WB.options.initiatives, t("wb.team.choose_initiative"));
      ui.size = el("input", {type: "number", min: "1", max: "20", value: "6"});
      ui.form.appendChild(field("wb-team-initiative", t("wb.team.initiative"), ui.initiative));
      ui.form.appendChild(field("wb-team-size", t("wb.team.size"), ui.size));
      ui.form.appendChild(el("button", {type: "submit"}, t("wb.team.submit")));
      ui.form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        if (!ui.initiative.value) { say(ui.status, t("wb.team.need_initiative"), true); return; }
        var size = Math.max(1, Math.min(20, parseInt(ui.size.value, 10) || 6));
        submit({initiative: ui.initiative.value, size: size === 6 ? "" : size});
      });
      return ui;
    },
    refresh: function (ui) { refill(ui.initiative, WB.options.initiatives); },
    fill: function (ui, p) {
      setSelect(ui.initiative, p.initiative);
      ui.size.value = String(p.size || 6);
    },
    run: function (ui, p, fresh) {
      say(ui.status, t("wb.analysis.busy"));
      clear(ui.answer);
      WB.api(query("/teams", {initiative: p.initiative, max_size: p.size || 6}))
        .then(function (answer) {
          if (!fresh()) { return; }
          say(ui.status, "");
          ui.data = answer;
          showTeam(ui, answer);
        }, function (err) { if (fresh()) { failed(ui.status)(err); } });
    },
    redraw: function (ui) { if (ui.data) { highlightTeam(ui.data); } }
  });

  function highlightTeam(answer) {
    if (!shown("teams")) { return; }
    var members = answer.team.map(function (m) { return m.actor.id; });
    var ids = onMapOnly(uniq([answer.initiative.id].concat(members)));
    WB.map.highlight({nodes: ids, edges: [], path: [], labels: {}});
    WB.map.fit(ids);
  }

  function showTeam(ui, answer) {
    clear(ui.answer);
    var names = function (covers) {
      return covers.map(function (c) { return c.category_name; }).join(", ");
    };
    WB.result(ui.answer, {
      text: answer.explanation,
      table: {
        caption: t("wb.team.members"),
        columns: [t("wb.match.col.actor"), t("wb.team.col.covers")],
        rows: answer.team.map(function (m) {
          return [WB.actorLink(m.actor.id, m.actor.name), names(m.covers)];
        })
      }
    });
    var members = el("section", {class: "wb-team"}, el("h3", {}, t("wb.team.why")));
    members.appendChild(answer.team.length ? list(answer.team, function (m) {
      return el("span", {class: "wb-member", "data-actor": m.actor.id},
                WB.actorLink(m.actor.id, m.actor.name), ": ",
                t("wb.team.covers", {categories: names(m.covers)}),
                sentences(m.explanation.slice(1)));
    }) : el("p", {}, t("wb.team.empty")));
    ui.answer.appendChild(members);
    var open = el("section", {class: "wb-uncovered"}, el("h3", {}, t("wb.team.uncovered")));
    open.appendChild(answer.uncovered.length
      ? list(answer.uncovered, function (u) {
        // What the team leaves open is a need of the initiative: ask Hvem kan hjelpe? for it.
        var ask = el("button", {type: "button", class: "wb-ask"}, t("wb.team.ask"));
        ask.addEventListener("click", function () {
          WB.state.set({panel: "match", params: {category: u.category,
                                                 seeker: answer.initiative.id}});
        });
        return el("span", {}, u.explanation, " ", ask);
      })
      : el("p", {}, t("wb.team.all_covered")));
    ui.answer.appendChild(open);
    highlightTeam(answer);
  }

  // ---- Brobyggere --------------------------------------------------------------------------

  var GROUPINGS = ["community", "district", "age_band", "kind", "none"];
  var TOP = 10;

  definePanel({
    id: "brokers",
    order: 65,
    title: "wb.brokers.title",
    ready: function () { return true; },  // nothing to choose first: the defaults answer
    build: function (root, submit) {
      var ui = frame(root, t("wb.brokers.intro"));
      ui.by = select(GROUPINGS.map(function (g) { return [g, t("wb.brokers.by." + g)]; }));
      ui.top = el("input", {type: "number", min: "1", max: "50", value: String(TOP)});
      ui.form.appendChild(field("wb-brokers-by", t("wb.brokers.by"), ui.by));
      ui.form.appendChild(field("wb-brokers-top", t("wb.brokers.top"), ui.top));
      ui.form.appendChild(el("button", {type: "submit"}, t("wb.brokers.submit")));
      ui.form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var top = Math.max(1, Math.min(50, parseInt(ui.top.value, 10) || TOP));
        submit({by: ui.by.value === "community" ? "" : ui.by.value,
                top: top === TOP ? "" : top, run: 1});
      });
      return ui;
    },
    fill: function (ui, p) {
      setSelect(ui.by, p.by || "community");
      ui.top.value = String(p.top || TOP);
    },
    run: function (ui, p, fresh) {
      say(ui.status, t("wb.analysis.busy"));
      clear(ui.answer);
      WB.api(query("/brokers", {by: p.by || "community", top: p.top || TOP}))
        .then(function (answer) {
          if (!fresh()) { return; }
          say(ui.status, "");
          ui.data = answer;
          showBrokers(ui, answer);
        }, function (err) { if (fresh()) { failed(ui.status)(err); } });
    },
    redraw: function (ui) { if (ui.data) { highlightBrokers(ui.data); } }
  });

  function highlightBrokers(answer) {
    if (!shown("brokers")) { return; }
    var ids = onMapOnly(answer.results.map(function (r) { return r.actor.id; }));
    WB.map.highlight({nodes: ids, edges: [], path: [], labels: {}});
    WB.map.fit(ids);
  }

  function showBrokers(ui, answer) {
    clear(ui.answer);
    var how = answer.exact ? [t("wb.brokers.exact")]
      : [t("wb.brokers.sampled", {samples: answer.sources, nodes: answer.nodes})];
    if (!answer.exact && answer.approximation && answer.approximation.exact_later) {
      how.push(t("wb.brokers.exact_later"));
    }
    var found = answer.results.filter(function (r) { return r.betweenness > 0; });
    WB.result(ui.answer, {
      text: found.length ? how.join(" ") : t("wb.brokers.none"),
      table: {
        caption: t("wb.brokers.ranked"),
        columns: [t("wb.match.col.rank"), t("wb.match.col.actor"), t("wb.brokers.col.share"),
                  t("wb.brokers.col.groups"), t("wb.brokers.col.constraint")],
        rows: found.map(function (r) {
          return [r.rank, WB.actorLink(r.actor.id, r.actor.name), percent(r.betweenness),
                  r.groups_reached, r.constraint === null ? "–" : num(r.constraint)];
        })
      }
    });
    if (answer.stale) { ui.answer.appendChild(el("p", {class: "wb-note"}, t("wb.analysis.stale"))); }
    if (found.length) {
      var why = el("section", {class: "wb-brokers"}, el("h3", {}, t("wb.brokers.why")));
      why.appendChild(list(found, function (r) {
        return el("span", {class: "wb-broker", "data-actor": r.actor.id},
                  WB.actorLink(r.actor.id, r.actor.name), sentences(r.explanation));
      }));
      ui.answer.appendChild(why);
    }
    highlightBrokers(answer);
  }
}());
