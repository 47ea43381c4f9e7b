/* The core's panels: Finn (search and filters, the table of what is shown), Profil (one actor),
   Last inn (upload a file, the import report) and Skriv ut (PDF/SVG of the view, PNG of the
   canvas). They use only window.WB, as every panel does. */
(function () {
  "use strict";
  const {el, t} = {el: WB.el, t: WB.t};

  function select(id, label, choices, value) {
    return el("select", {id, name: id},
      el("option", {value: "", text: label}),
      choices.map(([code, name]) => el("option", {value: code, text: name, selected: code === value})));
  }

  function field(label, input) {
    return el("div", {class: "wb-field"}, el("label", {for: input.id, text: label}), input);
  }

  // ---- Finn ---------------------------------------------------------------------------------

  function finnRender(body) {
    const f = WB.state.get().filters;
    const name = el("input", {type: "search", id: "wb-finn-q", autocomplete: "off",
                              placeholder: t("wb.finn.name_hint"), value: f.q || ""});
    const kind = select("wb-finn-kind", t("wb.finn.all_kinds"), WB.options.kinds, f.kind);
    const district = select("wb-finn-district", t("wb.finn.all_districts"), WB.options.districts,
                            f.district);
    const category = select("wb-finn-category", t("wb.finn.all_categories"),
                            WB.options.categories, f.category);
    const hits = el("div", {id: "wb-finn-hits", "aria-live": "polite"});
    const shownTable = el("div", {id: "wb-finn-table"});
    const form = el("form", {id: "wb-finn-form", role: "search"},
      field(t("wb.finn.name"), name), field(t("wb.finn.kind"), kind),
      field(t("wb.finn.district"), district), field(t("wb.finn.category"), category),
      el("div", {class: "wb-buttons"},
         el("button", {type: "submit", text: t("wb.finn.search")}),
         el("button", {type: "button", id: "wb-finn-reset", text: t("wb.finn.reset"),
                       on: {click: () => { reset(); run(); }}})));
    const reset = () => { name.value = ""; kind.value = ""; district.value = ""; category.value = ""; };
    const run = () => {
      const filters = {q: name.value.trim(), kind: kind.value, district: district.value,
                       category: category.value};
      WB.filter(filters);
      search(filters, hits);
      shownTable.replaceChildren(visibleTable());
    };
    form.addEventListener("submit", (ev) => { ev.preventDefault(); run(); });
    for (const s of [kind, district, category]) s.addEventListener("change", run);
    body.append(form, hits, shownTable);
    body._finn = {run, reset, name, kind, district, category, hits, shownTable};
  }

  /** The name search: every hit listed, the map zoomed to them; choosing one opens Profil. */
  function search(filters, hits) {
    hits.replaceChildren();
    const q = WB.fold(filters.q);
    if (!q) return;
    const found = WB.map.shown().map(WB.map.node)
      .filter((n) => WB.fold(n.label).includes(q))
      .sort((a, b) => a.label.localeCompare(b.label, WB.lang));
    if (!found.length) {
      hits.append(el("p", {class: "wb-note", text: t("wb.finn.nothing")}));
      WB.map.clear();
      return;
    }
    WB.map.highlight({nodes: found.map((n) => n.id)});
    WB.map.fit(found.map((n) => n.id));
    hits.append(el("h3", {text: t("wb.finn.found", {n: found.length})}),
                el("p", {class: "wb-note", text: t("wb.finn.choose")}),
                el("ol", {class: "wb-hits"}, found.slice(0, 50).map((n) => el("li", null,
                  WB.actorLink(n.id, n.label), el("span", {class: "wb-note",
                    text: " · " + [n.kind_label, n.district].filter(Boolean).join(" · ")})))));
  }

  function visibleTable() {
    const rows = WB.map.shown().map(WB.map.node).map((n) => [
      WB.actorLink(n.id, n.label), n.kind_label, n.district || "", WB.map.degree(n.id)]);
    rows.sort((a, b) => b[3] - a[3]);
    return WB.table({caption: t("wb.finn.table"), limit: 200,
                     columns: [t("wb.core.col.name"), t("wb.core.col.kind"),
                               t("wb.core.col.district"), t("wb.core.col.degree")], rows});
  }

  WB.panel({
    id: "finn", order: 10, title: t("wb.finn.title"),
    render: finnRender,
    onShow(body) {
      const f = WB.state.get().filters;
      const ui = body._finn;
      ui.name.value = f.q || ""; ui.kind.value = f.kind || ""; ui.district.value = f.district || "";
      ui.category.value = f.category || "";
      if (f.q) search(f, ui.hits);
      ui.shownTable.replaceChildren(visibleTable());
    },
    onReset(body) {
      const ui = body._finn;
      ui.reset();
      ui.hits.replaceChildren();
      ui.shownTable.replaceChildren(visibleTable());
    },
    onGraph(body) { body._finn.shownTable.replaceChildren(visibleTable()); },
  });

  // ---- Profil -------------------------------------------------------------------------------

  function list(items) {
    return items.length ? el("ul", null, items.map((i) => el("li", {text: i})))
      : el("p", {class: "wb-note", text: t("wb.core.none")});
  }

  async function profil(body) {
    const id = WB.state.get().selected;
    const node = id && WB.map.node(id);
    if (!node) {
      body.replaceChildren(el("p", {class: "wb-note", text: t("wb.profil.empty")}));
      return;
    }
    body.replaceChildren(el("h3", {id: "wb-profil-name", text: node.label}),
                         el("p", {class: "wb-note", text: [node.kind_label, node.district].filter(Boolean).join(" · ")}));
    const asked = id;
    try {
      if (node.kind === "initiative") {
        const it = await WB.api("/initiatives/" + encodeURIComponent(id));
        if (WB.state.get().selected !== asked) return;
        initiative(body, node, it);
      } else {
        const [actor, capital] = await Promise.all([
          WB.api("/actors/" + encodeURIComponent(id)),
          WB.api("/actors/" + encodeURIComponent(id) + "/social-capital")]);
        if (WB.state.get().selected !== asked) return;
        actorProfile(body, node, actor, capital);
      }
    } catch (err) {
      WB.showError(body, err);
    }
  }

  function holdings(items) {
    return items.map((h) => h.category_name + (h.description ? ": " + h.description : "")
                            + (h.status ? " (" + h.status + ")" : ""));
  }

  function actorProfile(body, node, actor, capital) {
    const classes = {};
    for (const tie of capital.ties || []) {
      classes[tie.source + "|" + tie.target + "|" + tie.kind] = tie.class_name;
    }
    const ties = actor.ties || [];
    const rows = ties.map((tie) => {
      const key = tie.direction === "out" ? actor.id + "|" + tie.other + "|" + tie.kind
        : tie.other + "|" + actor.id + "|" + tie.kind;
      return [tieName(tie.kind), WB.map.node(tie.other) ? WB.actorLink(tie.other, tie.other_name)
              : tie.other_name, classes[key] || "", WB.number(tie.strength, 2)];
    });
    const c = capital.counts || {};
    const total = (c.bonding || 0) + (c.bridging || 0) + (c.linking || 0);
    const sc = [t("wb.profil.counts", {bonding: c.bonding || 0, bridging: c.bridging || 0,
                                       linking: c.linking || 0, total})];
    if (capital.constraint !== null && capital.constraint !== undefined) {
      sc.push(t("wb.profil.constraint", {value: WB.number(capital.constraint, 3)}));
    }
    if (capital.effective_size !== null && capital.effective_size !== undefined) {
      sc.push(t("wb.profil.effective_size", {value: WB.number(capital.effective_size, 2)}));
    }
    sc.push(capital.authority_hops === null || capital.authority_hops === undefined
      ? t("wb.profil.no_authority") : t("wb.profil.authority", {hops: capital.authority_hops}));
    body.append(...[
      el("dl", {class: "wb-facts"},
         el("dt", {text: t("wb.profil.kind")}), el("dd", {text: node.kind_label}),
         el("dt", {text: t("wb.profil.district")}),
         el("dd", {text: actor.district || t("wb.profil.no_district")})),
      actor.pseudonymised ? el("p", {class: "wb-note", text: t("wb.profil.pseudonym")}) : null,
      el("p", {class: "wb-note", id: "wb-profil-neighbours",
               text: t("wb.profil.neighbours", {n: new Set(ties.map((x) => x.other)).size})}),
      el("h4", {text: t("wb.profil.offers")}), list(holdings(actor.offers || [])),
      el("h4", {text: t("wb.profil.needs")}), list(holdings(actor.needs || [])),
      el("h4", {text: t("wb.profil.social_capital")}), el("ul", {id: "wb-profil-capital"},
                                                            sc.map((s) => el("li", {text: s}))),
      el("h4", {text: t("wb.profil.ties")}),
      rows.length ? WB.table({limit: 60, rows, columns: [t("wb.profil.tie"), t("wb.profil.other"),
                                                          t("wb.profil.class"), t("wb.profil.strength")]})
        : el("p", {class: "wb-note", text: t("wb.core.none")})].filter(Boolean));
  }

  function tieName(kind) {
    const g = WB.map.graph;
    return (g && g.tie_names && g.tie_names[kind]) || kind;
  }

  function initiative(body, node, it) {
    const cov = it.coverage || {covered: [], missing: []};
    const people = (it.participants || []).map((p) => (typeof p === "string" ? {id: p} : p));
    body.append(
      el("h4", {text: t("wb.profil.required")}),
      el("ul", {id: "wb-profil-required"},
         cov.covered.map((c) => el("li", {text: t("wb.profil.covered", {category: c.category_name})})),
         cov.missing.map((c) => el("li", {text: t("wb.profil.missing", {category: c.category_name})}))),
      el("h4", {text: t("wb.profil.participants", {n: it.participant_count || people.length})}),
      people.length ? el("ul", {id: "wb-profil-participants"}, people.map((p) => el("li", null,
        WB.map.node(p.id) ? WB.actorLink(p.id, p.name) : (p.name || p.id))))
        : el("p", {class: "wb-note", text: t("wb.core.none")}));
  }

  WB.panel({id: "profil", order: 20, title: t("wb.profil.title"),
            onShow: (body) => { profil(body); }});

  // ---- Last inn -----------------------------------------------------------------------------

  function importRender(body) {
    const file = el("input", {type: "file", id: "wb-import-file", name: "file",
                              accept: ".csv,.xlsx,.json,.gz,.tsv,.txt"});
    const workshop = el("input", {type: "text", id: "wb-import-workshop",
                                  placeholder: t("wb.import.workshop_hint")});
    const out = el("div", {id: "wb-import-report", "aria-live": "polite"});
    const submit = el("button", {type: "submit", text: t("wb.import.submit")});
    const form = el("form", {id: "wb-import-form"},
      el("p", {text: t("wb.import.intro")}),
      field(t("wb.import.file"), file), field(t("wb.import.workshop"), workshop),
      el("div", {class: "wb-buttons"}, submit));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      if (!file.files.length) {
        WB.result(out, {text: t("wb.import.choose_file")});
        return;
      }
      submit.disabled = true;
      WB.result(out, {text: t("wb.import.busy")});
      const query = workshop.value.trim() ? "?workshop=" + encodeURIComponent(workshop.value.trim()) : "";
      try {
        const report = await WB.api("/imports" + query, {method: "POST",
                                                          form: {file: file.files[0]}});
        showReport(out, report);
        await WB.reload();
        out.append(el("p", {class: "wb-done", text: t("wb.import.done")}));
      } catch (err) {
        out.replaceChildren();
        WB.showError(out, err);
        const rejected = (err.detail && err.detail.rows) || [];
        if (rejected.length) out.append(rejectedRows(rejected));
        out.append(el("p", {text: t("wb.import.nothing")}));
      } finally {
        submit.disabled = false;
      }
    });
    body.append(form, out);
  }

  function rejectedRows(rows) {
    return el("div", null, el("h4", {text: t("wb.import.rejected")}),
      el("ul", {class: "wb-rejected"}, rows.map((r) => el("li", {text: t("wb.import.row", {
        file: r.file, line: r.line, reason: r.reason,
        field: r.field ? t("wb.import.field", {field: r.field}) : ""})}))));
  }

  function showReport(out, r) {
    const a = r.actors || {}, ties = r.ties || {};
    WB.result(out, {text: [
      el("h3", {text: t("wb.import.report")}),
      t("wb.import.rows", {n: r.rows_read || 0, rejected: r.rows_rejected || 0}),
      t("wb.import.actors", {created: a.created || 0, updated: a.updated || 0,
                             unchanged: a.unchanged || 0}),
      t("wb.import.ties", {created: ties.created || 0, updated: ties.updated || 0,
                           unchanged: ties.unchanged || 0}),
    ]});
    if ((r.rejected || []).length) out.append(rejectedRows(r.rejected));
  }

  WB.panel({id: "import", order: 80, title: t("wb.import.title"), render: importRender});

  // ---- Skriv ut -----------------------------------------------------------------------------

  /** The print route and query for the current view: the selection's neighbourhood (ego),
      else the district, else the whole network; with the kind and category filters. */
  function printQuery(paper, orientation) {
    const s = WB.state.get();
    const f = s.filters;
    const q = new URLSearchParams({paper, orientation, lang: WB.lang});
    let view = "network";
    const what = [];
    if (s.selected && WB.map.node(s.selected)) {
      view = "ego";
      q.set("focus", s.selected);
      what.push(t("wb.print.focus", {name: WB.map.node(s.selected).label}));
    } else if (f.district) {
      view = "district";
      what.push(t("wb.print.district", {district: f.district}));
    } else {
      what.push(t("wb.print.whole"));
    }
    if (f.district) q.set("district", f.district);
    if (f.kind) {
      q.append("kind", f.kind);
      const label = (WB.options.kinds.find((k) => k[0] === f.kind) || [f.kind, f.kind])[1];
      what.push(t("wb.print.kinds", {kinds: label.toLowerCase()}));
    }
    if (f.category) {
      q.set("category", f.category);
      const label = (WB.options.categories.find((c) => c[0] === f.category) || [0, f.category])[1];
      what.push(t("wb.print.category", {category: label}));
    }
    return {view, query: q.toString(), what: what.join(", ")};
  }
  WB.printQuery = printQuery;

  function printRender(body) {
    const paper = el("select", {id: "wb-print-paper"}, ["A4", "A3"].map((p) => el("option", {value: p, text: p})));
    const orientation = el("select", {id: "wb-print-orientation"},
      el("option", {value: "landscape", text: t("wb.print.landscape")}),
      el("option", {value: "portrait", text: t("wb.print.portrait")}));
    const what = el("p", {id: "wb-print-what"});
    const pdf = el("a", {id: "wb-print-pdf", class: "wb-button", text: t("wb.print.pdf")});
    const svg = el("a", {id: "wb-print-svg", class: "wb-button", text: t("wb.print.svg")});
    const png = el("button", {type: "button", id: "wb-print-png", text: t("wb.print.png"),
                              on: {click: downloadPng}});
    const update = () => {
      const p = printQuery(paper.value, orientation.value);
      what.textContent = t("wb.print.intro", {what: p.what});
      const stamp = new Date().toISOString().slice(0, 10);
      pdf.href = "/prints/" + p.view + ".pdf?" + p.query;
      pdf.setAttribute("download", "graphsvc-" + p.view + "-" + stamp + ".pdf");
      svg.href = "/prints/" + p.view + ".svg?" + p.query;
      svg.setAttribute("download", "graphsvc-" + p.view + "-" + stamp + ".svg");
      WB.state.set({params: {paper: paper.value, orientation: orientation.value}});
    };
    paper.addEventListener("change", update);
    orientation.addEventListener("change", update);
    body.append(what, field(t("wb.print.paper"), paper), field(t("wb.print.orientation"), orientation),
                el("div", {class: "wb-buttons wb-downloads"}, pdf, svg, png));
    body._print = {update, paper, orientation};
  }

  /** The map as drawn now, on white, as a PNG download. */
  function downloadPng() {
    const canvas = WB.map.canvas();
    const copy = document.createElement("canvas");
    copy.width = canvas.width;
    copy.height = canvas.height;
    const ctx = copy.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, copy.width, copy.height);
    ctx.drawImage(canvas, 0, 0);
    copy.toBlob((blob) => {
      const url = URL.createObjectURL(blob);
      const a = el("a", {href: url, download: "graphsvc-map-" + new Date().toISOString().slice(0, 10) + ".png"});
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    }, "image/png");
  }

  WB.panel({id: "print", order: 90, title: t("wb.print.title"), render: printRender,
            onShow(body, params) {
              const ui = body._print;
              if (params.paper) ui.paper.value = params.paper;
              if (params.orientation) ui.orientation.value = params.orientation;
              ui.update();
            }});
})();
