/* resgraph network page. All texts come from the JSON data block and are put into
   the page with textContent only: clause texts are untrusted. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("rg-data").textContent);
  var info = data.info;
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

  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    var copy = Object.assign({}, n);
    copy.title = tooltip(n.title || n.label);
    return copy;
  }));
  var edges = new vis.DataSet(data.edges.map(function (e, i) {
    var copy = Object.assign({}, e);
    copy.id = i;
    copy.title = tooltip(e.title || "");
    return copy;
  }));

  var container = document.getElementById("rg-network");
  var started = performance.now();
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  window.rgNetwork = network; // for tests and the console
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
  data.edges.forEach(function (e, i) {
    outgoing[e.from].push(i);
    incoming[e.to].push(i);
  });

  document.getElementById("rg-stats").textContent =
    data.nodes.length + " nodes, " + data.edges.length + " edges · " +
    (data.level ? data.level + " level" : "");

  // ---- legend --------------------------------------------------------------------
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

  function legendItem(swatch, text) {
    var item = el("div", "rg-legend-item");
    item.appendChild(swatch);
    item.appendChild(el("span", null, text));
    return item;
  }

  (function buildLegend() {
    var legend = document.getElementById("rg-legend");
    legend.appendChild(el("h3", null, "Nodes"));
    data.legend.kinds.forEach(function (k) {
      legend.appendChild(legendItem(shapeSwatch(k.shape, k.color), k.name));
    });
    if (data.legend.relations.length) {
      legend.appendChild(el("h3", null, "Citations"));
      data.legend.relations.forEach(function (r) {
        legend.appendChild(legendItem(lineSwatch(r.color, null), r.name));
      });
      if (data.legend.viaFootnote) {
        legend.appendChild(legendItem(lineSwatch("#555555", [8, 4]), "via footnote"));
      }
    }
    if (data.legend.edges.length) {
      legend.appendChild(el("h3", null, "Structure"));
      data.legend.edges.forEach(function (e) {
        legend.appendChild(legendItem(lineSwatch(e.color, e.dashes), e.name));
      });
    }
    legend.appendChild(el("div", "rg-hint", "Size: times cited"));
  })();

  // ---- details panel -------------------------------------------------------------
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

  function showDetails(i) {
    var d = info[i];
    details.textContent = "";
    var kindLine = el("div", "rg-kind", (data.legend.kinds.find(function (k) {
      return k.kind === d.kind;
    }) || { name: d.kind }).name);
    details.appendChild(kindLine);
    details.appendChild(el("h2", "rg-label", label(i)));
    if (d.document !== null && d.document !== undefined) {
      var of = el("div", "rg-of", "in ");
      of.appendChild(nodeButton(d.document));
      details.appendChild(of);
    }
    if (d.title) details.appendChild(el("p", "rg-title-text", d.title));
    if (d.date) details.appendChild(el("div", "rg-date", "Adopted " + d.date));
    if (d.phrase) details.appendChild(el("div", "rg-phrase", "Opening phrase: " + d.phrase));
    if (d.text) details.appendChild(el("p", "rg-text", d.text));
    if (d.link && /^https?:\/\//.test(d.link)) {
      var p = el("p", "rg-link");
      var a = el("a", null, d.link);
      a.href = d.link;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      p.appendChild(a);
      details.appendChild(p);
    }
    if (d.cited) details.appendChild(el("div", "rg-cited", "Cited " + d.cited + (d.cited === 1 ? " time" : " times") + " in this view"));

    var footnotes = incoming[i].filter(function (k) { return data.edgeInfo[k].kind === "anchored-in"; })
      .map(function (k) {
        var f = data.edges[k].from;
        return [nodeButton(f), ": " + info[f].text];
      });
    var anchors = outgoing[i].filter(function (k) { return data.edgeInfo[k].kind === "anchored-in"; })
      .map(function (k) { return [nodeButton(data.edges[k].to)]; });
    function citeItems(list, end) {
      return list.filter(function (k) { return data.edgeInfo[k].kind === "cites"; }).map(function (k) {
        var e = data.edgeInfo[k];
        var parts = [e.relation + " ", nodeButton(data.edges[k][end])];
        if (e.via.length) {
          parts.push(" (via footnote ");
          e.via.forEach(function (v, n) {
            if (n) parts.push(", ");
            parts.push(nodeButton(v));
          });
          parts.push(")");
        }
        return parts;
      });
    }
    var parts = incoming[i].filter(function (k) { return data.edgeInfo[k].kind === "part-of"; })
      .map(function (k) { return [nodeButton(data.edges[k].from)]; });
    [
      section("Footnotes", footnotes),
      section("Footnote to", anchors),
      section("Cites", citeItems(outgoing[i], "to")),
      section("Cited by", citeItems(incoming[i], "from")),
      section("Parts", parts)
    ].forEach(function (s) { if (s) details.appendChild(s); });
  }

  function select(i) {
    network.selectNodes([i]);
    network.focus(i, { scale: Math.max(network.getScale(), 1.0), animation: false });
    showDetails(i);
  }

  network.on("click", function (params) {
    if (params.nodes.length) showDetails(params.nodes[0]);
  });

  // ---- search --------------------------------------------------------------------
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
})();
