/* resgraph network page. All texts come from the JSON data block and are put into
   the page with textContent only: clause texts are untrusted.

   Level of detail: every node belongs to a group (data.groups). When data.lod is set
   the page opens with each group drawn as one node; a click on it opens the group.
   The vis-network DataSets hold only what is drawn: refresh() computes that from the
   open groups and the filters and applies the difference. */
(function () {
  "use strict";
  var started = performance.now();
  var data = JSON.parse(document.getElementById("rg-data").textContent);
  var info = data.info;
  var N = info.length;
  var TEXTS = ["text", "title", "phrase", "date", "link", "session", "organ", "source"];
  info.forEach(function (d) {
    TEXTS.forEach(function (name) { if (d[name] === undefined) d[name] = ""; });
  });
  var MAX_BUNDLES = 400; // closed groups: only the heaviest bundles of edges between them
  var MAX_ARROWS = 2500; // more edges drawn than this: no arrow heads (they halve the frame rate)
  var E = data.edges.from.length;
  var FROM = data.edges.from;
  var TO = data.edges.to;
  var NO_LIST = [];

  function edgeStyle(k) { return data.edgeStyles[data.edges.style[k]]; }
  function edgeKind(k) { return edgeStyle(k).kind; }
  function relationOf(k) { return data.relationNames[data.edges.relation[k]]; }
  function viaOf(k) { return data.via[k] || NO_LIST; }
  function writtenOn(k) { return data.written[k] || NO_LIST; }
  var SVG = "http://www.w3.org/2000/svg";

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  // vis-network shows an Element tooltip as is; a string could be read as HTML by other versions
  function tooltip(text) {
    return el("div", "rg-tip", text);
  }

  // ---- state: open groups and filters -------------------------------------------------
  var groupOpen = data.groups.map(function () { return !data.lod; });
  var kindShown = {};
  data.legend.kinds.forEach(function (k) { kindShown[k.kind] = true; });
  var relationShown = {};
  data.legend.relations.forEach(function (r) { relationShown[r.name] = true; });
  var edgeKindShown = {};
  data.legend.edges.forEach(function (e) { edgeKindShown[e.kind] = true; });
  var organFilter = "";
  var sessionFilter = "";
  var members = data.groups.map(function () { return []; });
  info.forEach(function (d, i) { members[d.group].push(i); });
  var byIri = {};
  info.forEach(function (d, i) { byIri[d.iri] = i; });

  var SCOPED = { resolution: 1, document: 1, preambular: 1, operative: 1, subparagraph: 1,
    annex: 1, clause: 1, footnote: 1 };

  function nodeOk(i) {
    var d = info[i];
    if (!kindShown[d.kind]) return false;
    if (!SCOPED[d.kind]) return true; // treaties, volumes, organs: not of a session
    if (organFilter && d.organ.split(", ").indexOf(organFilter) === -1) return false;
    if (sessionFilter && d.session !== sessionFilter) {
      // a year: the document's adoption, or for a clause its document's
      var doc = d.document !== null && d.document !== undefined ? info[d.document] : d;
      if (doc.session !== sessionFilter && doc.date.slice(0, 4) !== sessionFilter) return false;
    }
    return true;
  }

  function edgeOk(k) {
    var kind = edgeKind(k);
    if (kind !== "cites") return edgeKindShown[kind] !== false;
    return relationOf(k).split(", ").some(function (r) { return relationShown[r]; });
  }

  // where node i is drawn: itself, its closed group's node, or nowhere (filtered out)
  function drawnAs(i) {
    if (!nodeOk(i)) return null;
    return groupOpen[info[i].group] ? i : "g" + info[i].group;
  }

  var nodes = new vis.DataSet();
  var edges = new vis.DataSet();
  var network = null;
  var arrowsOn = true;
  var tipCache = {};

  function shorten(text, limit) {
    var flat = text.split(/\s+/).join(" ").trim();
    if (flat.length <= limit) return flat;
    var cut = flat.slice(0, limit - 1);
    var space = cut.lastIndexOf(" ");
    return (space > 0 ? cut.slice(0, space) : cut) + " …";
  }

  // plain text on hover: kind, label, document, date, title, text, times cited
  function nodeTip(i) {
    var d = info[i];
    var head = kindName(d.kind) + ": " + label(i);
    if (d.document !== null && d.document !== undefined) head += " — " + label(d.document);
    var lines = [head];
    if (d.date) lines.push("adopted " + d.date);
    [d.title, d.text].forEach(function (v) {
      if (v && v !== label(i)) lines.push(shorten(v, 300));
    });
    if (d.cited) lines.push("cited " + d.cited + (d.cited === 1 ? " time" : " times") + " in this view");
    return lines.join("\n");
  }

  function edgeTip(k) {
    var tip = label(FROM[k]) + " " + relationOf(k) + " " + label(TO[k]);
    var names = viaOf(k).map(label).concat(data.viaNames[k] || NO_LIST);
    if (names.length) tip += " (via footnote " + names.join(", ") + ")";
    var written = writtenOn(k);
    if (written.length) tip += "\n“" + written.join("”, “") + "”";
    return tip;
  }

  function visNode(i) {
    var copy = Object.assign({}, data.nodes[i]);
    copy.id = i;
    if (!tipCache[i]) tipCache[i] = tooltip(nodeTip(i));
    copy.title = tipCache[i];
    return copy;
  }

  function visEdge(k) {
    var s = edgeStyle(k);
    return {
      id: k,
      from: FROM[k],
      to: TO[k],
      color: s.color,
      dashes: s.dashes,
      width: s.width,
      title: tooltip(edgeTip(k))
    };
  }

  function groupNode(g, count) {
    var row = data.groups[g];
    var first = info[members[g][0]];
    var style = data.legend.kinds.find(function (k) { return k.kind === first.kind; }) || { color: "#999" };
    return {
      id: "g" + g,
      label: row.name + " (" + count + ")",
      shape: "dot",
      color: { background: style.color, border: "#333" },
      borderWidth: 3,
      size: Math.min(12 + 3 * Math.sqrt(count), 70),
      x: row.x,
      y: row.y,
      // group names stay readable when the whole corpus is in view (other labels wait
      // until zoomed in)
      font: { size: 30, strokeWidth: 5 },
      widthConstraint: { maximum: 300 },
      scaling: { label: { drawThreshold: 1 } },
      title: tooltip(row.name + "\n" + count + " nodes: click to open the group"),
      rgGroup: g
    };
  }

  function refresh() {
    var wantNodes = {};
    var counts = {};
    for (var i = 0; i < N; i++) {
      var at = drawnAs(i);
      if (at === null) continue;
      if (typeof at === "number") wantNodes[i] = true;
      else counts[at] = (counts[at] || 0) + 1;
    }
    var wantEdges = {};
    var bundles = {};
    for (var k = 0; k < E; k++) {
      if (!edgeOk(k)) continue;
      var a = drawnAs(FROM[k]);
      var b = drawnAs(TO[k]);
      if (a === null || b === null || a === b) continue;
      if (typeof a === "number" && typeof b === "number") {
        wantEdges[k] = true;
      } else {
        var key = a + ">" + b;
        bundles[key] = (bundles[key] || 0) + 1;
      }
    }
    // nodes: remove what is no longer drawn, add what is new, update the group nodes
    var removeNodes = nodes.getIds().filter(function (id) {
      return typeof id === "number" ? !wantNodes[id] : !counts[id];
    });
    nodes.remove(removeNodes);
    var addNodes = [];
    Object.keys(wantNodes).forEach(function (id) {
      if (!nodes.get(Number(id))) addNodes.push(visNode(Number(id)));
    });
    Object.keys(counts).forEach(function (id) {
      addNodes.push(groupNode(Number(id.slice(1)), counts[id]));
    });
    nodes.update(addNodes);
    var removeEdges = edges.getIds().filter(function (id) {
      return typeof id === "number" ? !wantEdges[id] : !bundles[id.slice(1)];
    });
    edges.remove(removeEdges);
    var addEdges = [];
    Object.keys(wantEdges).forEach(function (id) {
      var k = Number(id);
      if (!edges.get(k)) addEdges.push(visEdge(k));
    });
    var keys = Object.keys(bundles);
    var betweenGroups = keys.filter(function (key) { return /^g\d+>g\d+$/.test(key); });
    if (betweenGroups.length > MAX_BUNDLES) {
      betweenGroups.sort(function (a, b) { return bundles[b] - bundles[a]; });
      betweenGroups.slice(MAX_BUNDLES).forEach(function (key) { delete bundles[key]; });
      keys = Object.keys(bundles);
    }
    keys.forEach(function (key) {
      var ends = key.split(">");
      var n = bundles[key];
      addEdges.push({
        id: "b" + key,
        from: ends[0].charAt(0) === "g" ? ends[0] : Number(ends[0]),
        to: ends[1].charAt(0) === "g" ? ends[1] : Number(ends[1]),
        width: Math.min(1 + Math.log(n) / Math.LN2, 8),
        color: { color: "#9a9a9a", opacity: 0.5 },
        title: tooltip(n + (n === 1 ? " edge" : " edges") + " between these groups")
      });
    });
    edges.update(addEdges);
    var arrows = edges.length <= MAX_ARROWS;
    if (arrows !== arrowsOn) {
      arrowsOn = arrows;
      if (network) network.setOptions({ edges: { arrows: { to: { enabled: arrows } } } });
      else data.options.edges.arrows.to.enabled = arrows;
    }
    var open = groupOpen.filter(function (o) { return o; }).length;
    stats.textContent = N + " nodes, " + E + " edges · " +
      (data.level ? data.level + " level" : "") +
      (data.lod ? " · " + open + " of " + data.groups.length + " groups open" : "") +
      " · drawn: " + nodes.length + " nodes, " + edges.length + " edges";
    collapseButton.hidden = !data.lod || open === 0;
    expandButton.hidden = !data.openAll || open === data.groups.length;
  }

  var stats = document.getElementById("rg-stats");
  var collapseButton = document.getElementById("rg-collapse");
  var expandButton = document.getElementById("rg-expand");
  var notice = document.getElementById("rg-notice");
  var noticeText = [data.notice, data.filter ? "Filtered: " + data.filter : ""].filter(Boolean).join(" · ");
  if (data.lod) {
    noticeText = [noticeText, N + " nodes in " + data.groups.length +
      " groups: click a group to open it; labels appear when you zoom in."].filter(Boolean).join(" · ");
  }
  if (noticeText) {
    notice.textContent = noticeText;
    notice.hidden = false;
  }

  refresh();
  var container = document.getElementById("rg-network");
  network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  window.rgNetwork = network; // for tests, benchmarks and the console
  network.once("afterDrawing", function () {
    window.rgFirstDrawMs = performance.now() - started;
    document.body.setAttribute("data-ready", "1");
  });
  if (data.physics) {
    // the layout comes precomputed: physics only polishes it, then the view stays still
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
    });
  }

  var outgoing = info.map(function () { return []; });
  var incoming = info.map(function () { return []; });
  for (var k0 = 0; k0 < E; k0++) {
    outgoing[FROM[k0]].push(k0);
    incoming[TO[k0]].push(k0);
  }

  function openGroup(g, fit) {
    if (groupOpen[g]) return;
    groupOpen[g] = true;
    refresh();
    if (fit) {
      var row = data.groups[g];
      var w = container.clientWidth || 800;
      var h = container.clientHeight || 600;
      var scale = Math.min(w, h) / (2 * row.radius + 120);
      network.moveTo({ position: { x: row.x, y: row.y }, scale: Math.min(Math.max(scale, 0.05), 1.5) });
    }
  }

  document.getElementById("rg-fit").addEventListener("click", function () { network.fit(); });
  expandButton.addEventListener("click", function () {
    groupOpen = groupOpen.map(function () { return true; });
    refresh();
    network.fit();
  });
  collapseButton.addEventListener("click", function () {
    groupOpen = groupOpen.map(function () { return false; });
    refresh();
  });

  // ---- legend and filters --------------------------------------------------------------
  function shapeSwatch(shape, color) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", "14");
    svg.setAttribute("height", "14");
    svg.setAttribute("viewBox", "0 0 14 14");
    var s;
    var polygons = {
      diamond: "7,1 13,7 7,13 1,7",
      triangle: "7,1 13,12 1,12",
      triangleDown: "1,2 13,2 7,13",
      star: "7,0.5 8.8,5 13.5,5.2 9.8,8.2 11.1,13 7,10.3 2.9,13 4.2,8.2 0.5,5.2 5.2,5",
      hexagon: "3.5,1 10.5,1 13.5,7 10.5,13 3.5,13 0.5,7"
    };
    if (shape === "square") {
      s = document.createElementNS(SVG, "rect");
      s.setAttribute("x", "1.5"); s.setAttribute("y", "1.5");
      s.setAttribute("width", "11"); s.setAttribute("height", "11");
    } else if (polygons[shape]) {
      s = document.createElementNS(SVG, "polygon");
      s.setAttribute("points", polygons[shape]);
    } else {
      s = document.createElementNS(SVG, "circle");
      s.setAttribute("cx", "7"); s.setAttribute("cy", "7"); s.setAttribute("r", "6");
    }
    s.setAttribute("fill", color);
    s.setAttribute("stroke", "#444");
    s.setAttribute("stroke-width", "0.6");
    svg.appendChild(s);
    return svg;
  }

  function lineSwatch(color, dashes) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "10");
    var line = document.createElementNS(SVG, "line");
    line.setAttribute("x1", "1"); line.setAttribute("y1", "5");
    line.setAttribute("x2", "27"); line.setAttribute("y2", "5");
    line.setAttribute("stroke", color);
    line.setAttribute("stroke-width", "2");
    if (dashes && dashes.length) line.setAttribute("stroke-dasharray", dashes.join(" "));
    svg.appendChild(line);
    return svg;
  }

  // a legend line that is also a filter: unticking hides that kind or relation
  function toggleItem(swatch, text, state, key, name) {
    var item = el("label", "rg-legend-item");
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.setAttribute("data-filter", name);
    box.setAttribute("data-value", key);
    box.addEventListener("change", function () {
      state[key] = box.checked;
      refresh();
    });
    item.appendChild(box);
    item.appendChild(swatch);
    item.appendChild(el("span", null, text));
    return item;
  }

  function selectFilter(label, values, onChange, id) {
    var wrap = el("div");
    var l = el("label", "rg-small", label);
    l.htmlFor = id;
    var s = el("select");
    s.id = id;
    var any = el("option", null, "all");
    any.value = "";
    s.appendChild(any);
    values.forEach(function (v) {
      var o = el("option", null, v);
      o.value = v;
      s.appendChild(o);
    });
    s.addEventListener("change", function () { onChange(s.value); refresh(); });
    wrap.appendChild(l);
    wrap.appendChild(s);
    return wrap;
  }

  (function buildLegend() {
    var legend = document.getElementById("rg-legend");
    legend.appendChild(el("h3", null, "Nodes"));
    data.legend.kinds.forEach(function (k) {
      legend.appendChild(toggleItem(shapeSwatch(k.shape, k.color), k.name, kindShown, k.kind, "kind"));
    });
    if (data.legend.relations.length) {
      legend.appendChild(el("h3", null, "Citations"));
      data.legend.relations.forEach(function (r) {
        legend.appendChild(toggleItem(lineSwatch(r.color, null), r.name, relationShown, r.name, "relation"));
      });
      if (data.legend.viaFootnote) {
        var via = el("div", "rg-legend-item");
        via.appendChild(lineSwatch("#555555", [8, 4]));
        via.appendChild(el("span", null, "via footnote (dashed)"));
        legend.appendChild(via);
      }
    }
    if (data.legend.edges.length) {
      legend.appendChild(el("h3", null, "Structure"));
      data.legend.edges.forEach(function (e) {
        legend.appendChild(toggleItem(lineSwatch(e.color, e.dashes), e.name, edgeKindShown, e.kind, "edge"));
      });
    }
    legend.appendChild(el("div", "rg-hint", "Size: times cited"));
    if (data.filters.organs.length > 1 || data.filters.sessions.length > 1) {
      legend.appendChild(el("h3", null, "Filter documents"));
      if (data.filters.organs.length > 1) {
        legend.appendChild(selectFilter("Organ", data.filters.organs, function (v) { organFilter = v; }, "rg-organ"));
      }
      if (data.filters.sessions.length > 1) {
        legend.appendChild(selectFilter("Session or year", data.filters.sessions, function (v) { sessionFilter = v; }, "rg-session"));
      }
    }
    var a = data.analytics;
    if (a && (a.mostCited.length || a.clusters.length)) {
      var box = el("details", "rg-analytics");
      box.open = true;
      box.appendChild(el("summary", null, "Analytics"));
      if (a.mostCited.length) {
        box.appendChild(el("h3", null, "Most cited (documents · PageRank)"));
        var ol = el("ol");
        a.mostCited.forEach(function (row) {
          var li = el("li");
          li.appendChild(nodeButton(row.node));
          li.appendChild(el("span", "rg-small", " " + row.documents + " · " + row.pagerank));
          ol.appendChild(li);
        });
        box.appendChild(ol);
      }
      if (a.clusters.length) {
        box.appendChild(el("h3", null, "Cite alike (clusters)"));
        var cl = el("ol");
        a.clusters.forEach(function (members, n) {
          var li = el("li");
          var b = el("button", "rg-linkbutton", members.length + " documents");
          b.type = "button";
          b.addEventListener("click", function () { showCluster(n, members); });
          li.appendChild(b);
          cl.appendChild(li);
        });
        box.appendChild(cl);
      }
      legend.appendChild(box);
    }
  })();

  // ---- details panel -------------------------------------------------------------------
  var details = document.getElementById("rg-details");
  var results = document.getElementById("rg-results");

  function label(i) {
    return data.nodes[i].label;
  }

  function nodeButton(i) {
    var b = el("button", "rg-linkbutton", label(i));
    b.type = "button";
    b.addEventListener("click", function () { select(i); });
    return b;
  }

  function section(title, items) {
    if (!items.length) return null;
    var s = el("div", "rg-section");
    s.appendChild(el("h3", null, title));
    var ul = el("ul");
    items.forEach(function (parts) {
      var li = el("li");
      parts.forEach(function (p) {
        li.appendChild(typeof p === "string" ? document.createTextNode(p) : p);
      });
      ul.appendChild(li);
    });
    s.appendChild(ul);
    return s;
  }

  // the text with every occurrence of the citations' words as written marked
  function highlighted(text, phrases, className, tag) {
    var p = el(tag || "p", className);
    var lower = text.toLowerCase();
    var ranges = [];
    phrases.forEach(function (w) {
      if (!w) return;
      var hay = text.indexOf(w) !== -1 ? text : lower;
      var needle = hay === text ? w : w.toLowerCase();
      var at = hay.indexOf(needle);
      while (at !== -1) {
        ranges.push([at, at + needle.length]);
        at = hay.indexOf(needle, at + needle.length);
      }
    });
    ranges.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var pos = 0;
    ranges.forEach(function (r) {
      if (r[0] < pos) return; // overlaps the previous mark
      if (r[0] > pos) p.appendChild(document.createTextNode(text.slice(pos, r[0])));
      p.appendChild(el("mark", "rg-cite", text.slice(r[0], r[1])));
      pos = r[1];
    });
    if (pos < text.length) p.appendChild(document.createTextNode(text.slice(pos)));
    return p;
  }

  function writtenOf(i) {
    var out = [];
    outgoing[i].forEach(function (k) {
      if (edgeKind(k) === "cites") out = out.concat(writtenOn(k));
    });
    return out;
  }

  function kindName(kind) {
    return (data.legend.kinds.find(function (k) { return k.kind === kind; }) || { name: kind }).name;
  }

  function showDetails(i) {
    var d = info[i];
    details.textContent = "";
    details.appendChild(el("div", "rg-kind", kindName(d.kind)));
    details.appendChild(el("h2", "rg-label", label(i)));
    if (d.document !== null && d.document !== undefined) {
      var of = el("div", "rg-of", "in ");
      of.appendChild(nodeButton(d.document));
      details.appendChild(of);
    }
    if (d.title) details.appendChild(el("p", "rg-title-text", d.title));
    if (d.date) details.appendChild(el("div", "rg-date", "Adopted " + d.date));
    var meta = [d.organ, d.session ? "session " + d.session : ""].filter(Boolean).join(", ");
    if (meta && SCOPED[d.kind] && d.document === null) details.appendChild(el("div", "rg-meta", meta));
    if (d.phrase) details.appendChild(el("div", "rg-phrase", "Opening phrase: " + d.phrase));
    if (d.text) details.appendChild(highlighted(d.text, writtenOf(i), "rg-text"));
    var link = d.link || (d.document !== null && d.document !== undefined ? info[d.document].link : "");
    if (link && /^https?:\/\//.test(link)) {
      var p = el("p", "rg-link");
      var a = el("a", null, link);
      a.href = link;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      p.appendChild(a);
      details.appendChild(p);
    }
    if (d.source) details.appendChild(el("div", "rg-meta rg-source", "Source file: " + d.source));
    if (d.cited) details.appendChild(el("div", "rg-cited", "Cited " + d.cited + (d.cited === 1 ? " time" : " times") + " in this view"));
    if (data.lod) {
      var g = d.group;
      var close = el("button", "rg-linkbutton", "Close the group " + data.groups[g].name);
      close.type = "button";
      close.addEventListener("click", function () {
        groupOpen[g] = false;
        refresh();
      });
      if (groupOpen[g]) details.appendChild(el("p", "rg-small")).appendChild(close);
    }

    var footnotes = incoming[i].filter(function (k) { return edgeKind(k) === "anchored-in"; })
      .map(function (k) {
        var f = FROM[k];
        return [nodeButton(f), ": ", highlighted(info[f].text, writtenOf(f), "rg-footnote-text", "span")];
      });
    var anchors = outgoing[i].filter(function (k) { return edgeKind(k) === "anchored-in"; })
      .map(function (k) { return [nodeButton(TO[k])]; });
    function citeItems(list, end) {
      return list.filter(function (k) { return edgeKind(k) === "cites"; }).map(function (k) {
        var parts = [relationOf(k) + " ", nodeButton(end[k])];
        var names = data.viaNames[k] || NO_LIST;
        if (viaOf(k).length || names.length) {
          parts.push(" (via footnote ");
          viaOf(k).forEach(function (v, n) {
            if (n) parts.push(", ");
            parts.push(nodeButton(v));
          });
          if (names.length) parts.push((viaOf(k).length ? ", " : "") + names.join(", "));
          parts.push(")");
        }
        var written = writtenOn(k);
        if (written.length) parts.push(el("span", "rg-written", " “" + written.join("”, “") + "”"));
        return parts;
      });
    }
    var parts = incoming[i].filter(function (k) { return edgeKind(k) === "part-of"; })
      .map(function (k) { return [nodeButton(FROM[k])]; });
    [
      section("Footnotes", footnotes),
      section("Footnote to", anchors),
      section("Cites", citeItems(outgoing[i], TO)),
      section("Cited by", citeItems(incoming[i], FROM)),
      section("Parts", parts)
    ].forEach(function (s) { if (s) details.appendChild(s); });
  }

  function showCluster(n, list) {
    details.textContent = "";
    details.appendChild(el("div", "rg-kind", "Cluster " + (n + 1)));
    details.appendChild(el("h2", null, list.length + " documents that cite alike"));
    details.appendChild(el("p", "rg-small", "They share cited instruments (bibliographic coupling)."));
    var ul = el("ul");
    list.forEach(function (i) {
      var li = el("li");
      li.appendChild(nodeButton(i));
      if (info[i].title) li.appendChild(el("span", "rg-small", " " + info[i].title));
      ul.appendChild(li);
    });
    details.appendChild(ul);
    list.forEach(function (i) { openGroup(info[i].group, false); });
    network.selectNodes(list.filter(function (i) { return nodes.get(i); }));
  }

  function resetFilters() {
    Object.keys(kindShown).forEach(function (k) { kindShown[k] = true; });
    organFilter = "";
    sessionFilter = "";
    document.querySelectorAll("#rg-legend input[data-filter=kind]").forEach(function (b) { b.checked = true; });
    document.querySelectorAll("#rg-legend select").forEach(function (s) { s.value = ""; });
  }

  // select, open its group, clear a filter hiding it, centre it, show its details
  function select(i, zoom) {
    if (!nodeOk(i)) resetFilters();
    groupOpen[info[i].group] = true;
    refresh();
    network.selectNodes([i]);
    if (zoom !== false) {
      network.focus(i, { scale: Math.max(network.getScale(), 1.0), animation: false });
    }
    showDetails(i);
  }
  window.rgSelect = select;

  network.on("click", function (params) {
    if (!params.nodes.length) return;
    var id = params.nodes[0];
    if (typeof id === "string") {
      openGroup(Number(id.slice(1)), true);
    } else {
      showDetails(id);
    }
  });

  // ---- search --------------------------------------------------------------------------
  var haystack = info.map(function (d, i) {
    return [label(i), d.title, d.text, d.iri].join("\n").toLowerCase();
  });
  var search = document.getElementById("rg-search");

  // matches on the label first (exact, then prefix, then anywhere), then on the texts
  function matches(query) {
    var q = query.trim().toLowerCase();
    if (!q) return [];
    var found = [];
    for (var i = 0; i < haystack.length; i++) {
      if (haystack[i].indexOf(q) === -1) continue;
      var l = label(i).toLowerCase();
      var rank = l === q ? 0 : l.indexOf(q) === 0 ? 1 : l.indexOf(q) !== -1 ? 2 : 3;
      found.push([rank, i]);
    }
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    return found.map(function (f) { return f[1]; });
  }

  function showResults(found, query) {
    results.textContent = "";
    if (!query.trim()) return;
    results.appendChild(el("div", "rg-kind", found.length + (found.length === 1 ? " match" : " matches")));
    var ol = el("ol");
    found.slice(0, 50).forEach(function (i) {
      var li = el("li");
      li.appendChild(nodeButton(i));
      ol.appendChild(li);
    });
    results.appendChild(ol);
  }

  search.addEventListener("input", function () {
    showResults(matches(search.value), search.value);
  });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var found = matches(search.value);
      showResults(found, search.value);
      if (found.length) select(found[0]);
    }
  });

  // ---- #focus=<IRI>: select and centre a node (resource pages link here) ----------------
  function focusFromHash() {
    var m = /^#focus=(.+)$/.exec(window.location.hash);
    if (!m) return false;
    var iri;
    try { iri = decodeURIComponent(m[1]); } catch (err) { return false; }
    var i = byIri[iri];
    if (i === undefined) return false;
    select(i);
    return true;
  }
  window.addEventListener("hashchange", focusFromHash);
  function initialFocus() {
    if (!focusFromHash() && data.focus !== null && data.focus !== undefined) {
      network.selectNodes(nodes.get(data.focus) ? [data.focus] : []);
      showDetails(data.focus);
    }
  }
  // physics polishes the layout first and then fits the view: centre the node after that
  if (data.physics) network.once("stabilizationIterationsDone", initialFocus);
  else initialFocus();
})();
