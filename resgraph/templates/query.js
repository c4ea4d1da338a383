// The resgraph query page: a small SPARQL editor (textarea over a highlighted copy),
// the named queries of queries/ with a form for their parameters, and a result table.
// Everything shown is set with textContent: no result text is ever parsed as HTML.
"use strict";
(function () {
  const BASE = document.body.dataset.base || "";
  const PREFIXES = {
    rg: "https://w3id.org/resgraph/ontology#",
    rgp: "https://w3id.org/resgraph/phrase/",
    rgr: "https://w3id.org/resgraph/relation/",
    eli: "http://data.europa.eu/eli/ontology#",
    dcterms: "http://purl.org/dc/terms/",
    skos: "http://www.w3.org/2004/02/skos/core#",
    prov: "http://www.w3.org/ns/prov#",
    oa: "http://www.w3.org/ns/oa#",
    xsd: "http://www.w3.org/2001/XMLSchema#",
    rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    rdfs: "http://www.w3.org/2000/01/rdf-schema#",
    owl: "http://www.w3.org/2002/07/owl#",
  };
  const KEYWORDS = new Set(("select distinct reduced construct describe ask where from named " +
    "prefix base optional filter union minus graph service bind values group by order having " +
    "limit offset as asc desc not exists in a count sum min max avg sample group_concat " +
    "separator str lang langmatches datatype bound iri uri bnode regex replace contains " +
    "strstarts strends lcase ucase strlen substr concat coalesce if isiri isuri isblank " +
    "isliteral isnumeric year month day now true false undef insert delete data load clear " +
    "drop create with using default all silent").split(" "));
  const TOKEN = new RegExp([
    "(#[^\\n]*)",                                   // 1 comment
    "(\"\"\"[\\s\\S]*?\"\"\"|'''[\\s\\S]*?'''|\"(?:[^\"\\\\\\n]|\\\\.)*\"|'(?:[^'\\\\\\n]|\\\\.)*')", // 2 string
    "(<[^<>\"{}|^`\\\\\\s]*>)",                     // 3 IRI
    "([?$][A-Za-z0-9_]+)",                          // 4 variable
    "([A-Za-z][\\w.-]*:[\\w.:%-]*|:[\\w.-]+)",      // 5 prefixed name
    "([0-9]+(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)",   // 6 number
    "([A-Za-z_]+)",                                 // 7 word
  ].join("|"), "g");

  const $ = (id) => document.getElementById(id);
  const editor = $("rg-query");
  const shade = $("rg-highlight");
  const statusLine = $("rg-status");
  let named = [];

  function span(cls, text) {
    const s = document.createElement("span");
    s.className = cls;
    s.textContent = text;
    return s;
  }

  function highlight() {
    const text = editor.value;
    const frag = document.createDocumentFragment();
    let last = 0;
    TOKEN.lastIndex = 0;
    let m;
    while ((m = TOKEN.exec(text)) !== null) {
      if (m[0] === "") { TOKEN.lastIndex++; continue; }
      if (m.index > last) frag.appendChild(document.createTextNode(text.slice(last, m.index)));
      let cls = "";
      if (m[1]) cls = "tok-comment";
      else if (m[2]) cls = "tok-str";
      else if (m[3]) cls = "tok-iri";
      else if (m[4]) cls = "tok-var";
      else if (m[5]) cls = "tok-pname";
      else if (m[6]) cls = "tok-num";
      else if (m[7] && KEYWORDS.has(m[7].toLowerCase())) cls = "tok-kw";
      frag.appendChild(cls ? span(cls, m[0]) : document.createTextNode(m[0]));
      last = m.index + m[0].length;
    }
    frag.appendChild(document.createTextNode(text.slice(last) + "\n"));
    shade.replaceChildren(frag);
    shade.scrollTop = editor.scrollTop;
  }

  function setStatus(text, isError) {
    statusLine.textContent = text;
    statusLine.className = isError ? "error" : "";
  }

  function short(iri) {
    if (BASE && iri.startsWith(BASE)) return iri.slice(BASE.length);
    for (const [p, ns] of Object.entries(PREFIXES)) {
      if (iri.startsWith(ns)) return p + ":" + iri.slice(ns.length);
    }
    return iri;
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const v = term.value;
      let href = null;
      if (BASE && v.startsWith(BASE)) href = "/id/" + v.slice(BASE.length);
      else if (/^https?:\/\//.test(v)) href = v;
      if (href) {
        const a = document.createElement("a");
        a.href = href;
        a.textContent = short(v);
        a.title = v;
        if (!href.startsWith("/")) a.rel = "noopener noreferrer nofollow";
        td.appendChild(a);
      } else {
        td.textContent = v;
      }
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      td.appendChild(document.createTextNode(term.value));
      const extra = term["xml:lang"] ? "@" + term["xml:lang"] : term.datatype ? short(term.datatype) : "";
      if (extra) td.appendChild(span("dt", " " + extra));
    }
    return td;
  }

  function showJson(data, truncated) {
    const box = $("rg-results");
    if (typeof data.boolean === "boolean") {
      const p = document.createElement("p");
      p.id = "rg-boolean";
      p.textContent = String(data.boolean);
      box.replaceChildren(p);
      return 1;
    }
    const vars = data.head.vars;
    const table = document.createElement("table");
    table.className = "results";
    table.id = "rg-table";
    const head = table.createTHead().insertRow();
    for (const v of vars) {
      const th = document.createElement("th");
      th.textContent = v;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const b of data.results.bindings) {
      const tr = body.insertRow();
      for (const v of vars) tr.appendChild(cell(b[v]));
    }
    box.replaceChildren(table);
    if (truncated) {
      const p = document.createElement("p");
      p.className = "note";
      p.textContent = "Only the first " + truncated + " rows are shown (the server's limit).";
      box.prepend(p);
    }
    return data.results.bindings.length;
  }

  function showText(text) {
    const pre = document.createElement("pre");
    pre.id = "rg-raw";
    pre.textContent = text;
    $("rg-results").replaceChildren(pre);
  }

  function downloads(makeUrl, formats) {
    const box = $("rg-downloads");
    box.replaceChildren(document.createTextNode("Download: "));
    for (const [fmt, label] of formats) {
      const a = document.createElement("a");
      a.href = makeUrl(fmt);
      a.textContent = label;
      a.download = "results." + fmt;
      a.className = "download-" + fmt;
      box.appendChild(a);
    }
  }

  const TABLE_FORMATS = [["json", "JSON"], ["xml", "XML"], ["csv", "CSV"], ["tsv", "TSV"]];
  const GRAPH_FORMATS = [["ttl", "Turtle"], ["jsonld", "JSON-LD"], ["nt", "N-Triples"]];

  async function show(response, started) {
    const ms = Math.round(performance.now() - started);
    const type = response.headers.get("Content-Type") || "";
    const truncated = response.headers.get("X-Resgraph-Truncated");
    if (!response.ok) {
      setStatus("Error " + response.status + ": " + (await response.text()), true);
      $("rg-results").replaceChildren();
      return false;
    }
    if (type.includes("json") && !type.includes("ld+json")) {
      const n = showJson(await response.json(), truncated);
      setStatus(n + " row" + (n === 1 ? "" : "s") + " in " + ms + " ms" + (truncated ? " (truncated)" : ""));
      return "table";
    }
    showText(await response.text());
    setStatus("graph result in " + ms + " ms" + (truncated ? " (truncated)" : ""));
    return "graph";
  }

  async function runQuery() {
    const query = editor.value;
    setStatus("running …");
    const started = performance.now();
    let response;
    try {
      response = await fetch("/sparql", {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "Accept": "application/sparql-results+json, text/turtle;q=0.9",
        },
        body: new URLSearchParams({ query }),
      });
    } catch (e) {
      setStatus("The server did not answer: " + e, true);
      return;
    }
    const kind = await show(response, started);
    if (kind) {
      const url = (fmt) => "/sparql?" + new URLSearchParams({ query, format: fmt });
      downloads(url, kind === "graph" ? GRAPH_FORMATS : TABLE_FORMATS);
    }
  }

  function currentNamed() {
    return named.find((q) => q.name === $("rg-named").value) || null;
  }

  function namedParams() {
    const params = new URLSearchParams();
    for (const input of $("rg-params").querySelectorAll("input")) {
      if (input.value.trim() !== "") params.set(input.name, input.value.trim());
    }
    return params;
  }

  function pickNamed() {
    const q = currentNamed();
    const form = $("rg-params");
    form.replaceChildren();
    $("rg-run-named").disabled = !q;
    if (!q) { $("rg-named-summary").textContent = ""; return; }
    $("rg-named-summary").textContent = q.summary + (q.description ? " " + q.description : "");
    for (const p of q.parameters) {
      const label = document.createElement("label");
      label.textContent = p.name + " (" + p.type + (p.required ? ", required" : "") + ")" +
        (p.description ? " — " + p.description : "");
      const input = document.createElement("input");
      input.name = p.name;
      input.id = "rg-param-" + p.name;
      if (p.default !== null) input.value = p.default;
      if (p.example !== null) input.placeholder = "e.g. " + p.example;
      input.required = p.required;
      label.appendChild(input);
      form.appendChild(label);
    }
    editor.value = q.query;
    highlight();
  }

  async function runNamed() {
    const q = currentNamed();
    if (!q) return;
    const params = namedParams();
    setStatus("running " + q.name + " …");
    const started = performance.now();
    const response = await fetch("/queries/" + encodeURIComponent(q.name) + "?" + params, {
      headers: { "Accept": "application/sparql-results+json" },
    });
    if (await show(response, started)) {
      downloads((fmt) => {
        const p = new URLSearchParams(params);
        p.set("format", fmt);
        return "/queries/" + encodeURIComponent(q.name) + "?" + p;
      }, TABLE_FORMATS);
    }
  }

  function prefixButtons() {
    const box = $("rg-prefixes");
    for (const [p, ns] of Object.entries(PREFIXES)) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = p + ":";
      b.title = ns;
      b.addEventListener("click", () => {
        const line = "PREFIX " + p + ": <" + ns + ">";
        if (!editor.value.includes(line)) editor.value = line + "\n" + editor.value;
        highlight();
        editor.focus();
      });
      box.appendChild(b);
    }
  }

  async function loadNamed() {
    const response = await fetch("/queries", { headers: { "Accept": "application/json" } });
    named = await response.json();
    const select = $("rg-named");
    for (const q of named) {
      const o = document.createElement("option");
      o.value = q.name;
      o.textContent = q.name;
      o.title = q.summary;
      select.appendChild(o);
    }
  }

  editor.addEventListener("input", highlight);
  editor.addEventListener("scroll", () => { shade.scrollTop = editor.scrollTop; });
  editor.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); runQuery(); }
  });
  $("rg-run").addEventListener("click", runQuery);
  $("rg-run-named").addEventListener("click", runNamed);
  $("rg-named").addEventListener("change", pickNamed);
  $("rg-params").addEventListener("submit", (e) => { e.preventDefault(); runNamed(); });
  prefixButtons();
  highlight();
  loadNamed()
    .catch((e) => setStatus("Could not list the named queries: " + e, true))
    .finally(() => { document.body.dataset.ready = "1"; });
})();
