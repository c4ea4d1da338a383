"""The command line: `resgraph build`, `query`, `queries`, `search`, `remove`, `validate`,
`eval`, `network`, `analytics`, `serve`, `export`.

The only module that calls sys.exit. Exit codes:

    0  OK
    1  checks or shapes failed
    2  input or data error (a bad file, an unknown query, a bad parameter)
    3  not implemented
    4  a SPARQL server refused a request or could not be reached (`push`, `query --endpoint`)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .errors import InputError, QueryError, RemoteError, ResgraphError
from .ids import DEFAULT_BASE
from .read import DEFAULT_MAX_BYTES

EXIT_OK, EXIT_CHECKS, EXIT_INPUT, EXIT_NOT_IMPLEMENTED = 0, 1, 2, 3
EXIT_REMOTE = 4

if TYPE_CHECKING:
    from .pipeline import BuildResult, StoreBuild
    from .remote import Endpoint


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `resgraph` command; return its exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_INPUT
    try:
        code: int = args.run(args)
    except QueryError as exc:
        _error(str(exc))
        return EXIT_INPUT
    except NotImplementedError as exc:
        _error(f"not implemented: {exc}")
        return EXIT_NOT_IMPLEMENTED
    except RemoteError as exc:
        _error(str(exc))
        return EXIT_REMOTE
    except ResgraphError as exc:
        _error(str(exc))
        return EXIT_INPUT
    return code


def console_main() -> None:
    """Entry point of the `resgraph` console script."""
    sys.exit(main())


def build_graph_main() -> None:
    """Entry point of `python build_graph.py [inputs…]`: the build command."""
    sys.exit(main(["build", *sys.argv[1:]]))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="resgraph",
        description="Turn UN resolutions into a knowledge graph of legal cross-references.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    b = sub.add_parser("build", help="build the graph of resolution files or folders")
    b.add_argument(
        "inputs", nargs="*", help="files or folders (default: the bundled example resolution)"
    )
    b.add_argument("--out", default="out", help="output folder (default: out/)")
    b.add_argument("--base", default=DEFAULT_BASE, help=f"base IRI (default: {DEFAULT_BASE})")
    b.add_argument("--encoding", help="force the input encoding (e.g. cp1252)")
    b.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        help=f"refuse larger inputs (default: {DEFAULT_MAX_BYTES})",
    )
    b.add_argument(
        "--strict",
        action="store_true",
        help="unresolved references are errors; shape violations and findings fail (exit 1)",
    )
    b.add_argument(
        "--no-validate", action="store_true", help="skip the SHACL shapes and consistency checks"
    )
    b.add_argument("--no-network-page", action="store_true", help="do not write network.html")
    b.add_argument(
        "--network-page",
        action="store_true",
        help=f"draw network.html even for a store of over {_AUTO_EXPORT_TRIPLES:,} triples",
    )
    b.add_argument("--quiet", "-q", action="store_true", help="print errors only")
    b.add_argument("--store", metavar="DIR", help="corpus store folder (default: OUT/store)")
    b.add_argument(
        "--no-store",
        action="store_true",
        help="a one-off build in memory: no store, only the files in --out",
    )
    b.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=None,
        metavar="N",
        help="worker processes (default: one per CPU)",
    )
    b.add_argument(
        "--prune", action="store_true", help="remove documents whose source file is gone"
    )
    b.add_argument(
        "--low-memory",
        action="store_true",
        default=None,
        help="load a big build into the store in parts: peak memory 1.1 GB instead of 2.8 GB"
        " at 20,000 documents, but the build takes 2-2.5 times as long (automatic when less"
        " than 3 GB is available)",
    )
    b.add_argument(
        "--no-export",
        action="store_true",
        help="do not write graph.ttl/jsonld/nt/trig (the store holds the graph)",
    )
    b.add_argument(
        "--export",
        action="store_true",
        help=f"write graph.ttl/jsonld/nt/trig even for a store of over {_AUTO_EXPORT_TRIPLES:,}"
        " triples",
    )
    b.set_defaults(run=_run_build)

    rm = sub.add_parser("remove", help="remove documents from the corpus store")
    rm.add_argument("names", nargs="+", metavar="SYMBOL|PATH", help="document symbols or sources")
    rm.add_argument("--store", default="out/store", help="corpus store (default: out/store)")
    rm.add_argument("--quiet", "-q", action="store_true", help="print errors only")
    rm.set_defaults(run=_run_remove)

    se = sub.add_parser("search", help="full-text search over clause and footnote texts")
    se.add_argument("text", nargs="+", help='words (all must occur), "a phrase", prefix*')
    se.add_argument("--store", default="out/store", help="corpus store (default: out/store)")
    se.add_argument("--limit", type=int, default=20, help="hits to show (default: 20)")
    se.add_argument("--format", "-f", choices=("table", "csv", "json"), default="table")
    se.set_defaults(run=_run_search)

    q = sub.add_parser("query", help="run a named query over a built graph")
    q.add_argument("name", help="query name (see `resgraph queries`)")
    q.add_argument(
        "--param",
        "-p",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="bind a parameter (repeatable)",
    )
    q.add_argument("--graph", help="graph file (default: out/store if built, else out/graph.trig)")
    q.add_argument("--store", metavar="DIR", help="corpus store folder (default: out/store)")
    q.add_argument("--format", "-f", choices=("table", "csv", "json"), default="table")
    q.add_argument("--base", default=DEFAULT_BASE, help="base IRI the graph was built with")
    q.add_argument("--endpoint", metavar="URL", help="run it on this SPARQL server instead")
    _endpoint_args(q)
    q.set_defaults(run=_run_query)

    ls = sub.add_parser("queries", help="list the named queries and their parameters")
    ls.set_defaults(run=_run_list_queries)

    v = sub.add_parser("validate", help="run the SHACL shapes over graph files or a corpus store")
    v.add_argument("graphs", nargs="*", help="graph files (default: out/graph.trig)")
    v.add_argument("--store", metavar="DIR", help="validate a corpus store (e.g. out/store)")
    v.add_argument(
        "--engine",
        choices=("pyshacl", "sparql"),
        help="pySHACL, or the shapes compiled to SPARQL on Oxigraph (default: pyshacl for"
        " graph files, sparql for --store)",
    )
    v.set_defaults(run=_run_validate)

    e = sub.add_parser("eval", help="measure the text parser against AKN4UN XML (and gold files)")
    e.add_argument("paths", nargs="+", metavar="PATH", help="AKN4UN XML files or folders")
    e.add_argument(
        "--variant",
        action="append",
        choices=("ods", "ods-spaces", "ods-crlf", "ods-wrapped", "ods-debris", "pdf", "all"),
        help="text layout to render (repeatable; default: ods)",
    )
    e.add_argument("--worst", type=int, default=10, help="worst files to list (default: 10)")
    e.add_argument("--gold", action="append", default=[], metavar="DIR", help="gold-file folder")
    e.add_argument("--format", "-f", choices=("table", "json"), default="table")
    e.add_argument("--workers", type=int, default=2, help="processes (default: 2)")
    e.set_defaults(run=_run_eval)

    n = sub.add_parser("network", help="write an interactive network page of one view")
    n.add_argument("--view", choices=("corpus", "resolution", "treaty"), default="corpus")
    n.add_argument("--focus", help="resolution symbol or IRI; treaty id, IRI or short name")
    n.add_argument("--depth", type=int, default=1, help="resolution view: hops (default: 1)")
    n.add_argument("--session", help="only documents of this session (or year)")
    n.add_argument("--organ", help="only documents of this organ (part of its name)")
    n.add_argument("--graph", help="graph file (default: out/store if built, else out/graph.trig)")
    n.add_argument("--store", help="corpus store folder (e.g. out/store)")
    n.add_argument("--base", default=DEFAULT_BASE, help="base IRI the graph was built with")
    n.add_argument("--out", default="out/network.html", help="page to write")
    n.add_argument("--title", help="page title")
    n.set_defaults(run=_run_network)

    an = sub.add_parser("analytics", help="most cited, citation chains, clusters; GraphML/GEXF")
    an.add_argument(
        "report", choices=("most-cited", "chain", "clusters", "export"), help="what to compute"
    )
    an.add_argument("--source", help="chain: the citing resolution (symbol or IRI)")
    an.add_argument("--target", help="chain: the resolution cited, directly or not")
    an.add_argument("--limit", type=int, default=20, help="most-cited: rows (default: 20)")
    an.add_argument("--graph", help="graph file (default: out/store if built, else out/graph.trig)")
    an.add_argument("--store", help="corpus store folder (e.g. out/store)")
    an.add_argument("--base", default=DEFAULT_BASE, help="base IRI the graph was built with")
    an.add_argument("--out", help="export: a .graphml or .gexf file; others: a CSV file")
    an.set_defaults(run=_run_analytics)

    sv = sub.add_parser("serve", help="a local SPARQL endpoint, query page and linked-data IRIs")
    sv.add_argument("inputs", nargs="*", help="resolution files or folders to build and serve")
    sv.add_argument("--store", help="corpus store folder (default: out/store if built)")
    sv.add_argument("--graph", help="graph file (.trig, .nq, .ttl; default: out/graph.trig)")
    sv.add_argument("--port", type=int, default=8080, help="port (default: 8080; 0: any free)")
    sv.add_argument("--host", default="127.0.0.1", help="address (default: 127.0.0.1 only)")
    sv.add_argument("--base", default=DEFAULT_BASE, help="base IRI the graph was built with")
    sv.add_argument("--timeout", type=float, default=30.0, help="seconds per query (default: 30)")
    sv.add_argument("--max-rows", type=int, default=10_000, help="rows/triples (default: 10000)")
    sv.add_argument("--workers", type=int, default=2, help="query processes (default: 2)")
    sv.add_argument("--cors", metavar="ORIGIN", help="allow this origin (or *); default: off")
    sv.add_argument("--allow-update", action="store_true", help="accept SPARQL Update")
    sv.add_argument(
        "--token", help="updates need 'Authorization: Bearer TOKEN' (or $RESGRAPH_TOKEN)"
    )
    sv.add_argument("--network", help="network page to serve at /network.html")
    sv.add_argument("--quiet", "-q", action="store_true", help="no request log")
    sv.set_defaults(run=_run_serve)

    ex = sub.add_parser("export", help="write a dataset ready to publish (dumps, VoID, ontology)")
    ex.add_argument("--store", help="corpus store folder (default: out/store if built)")
    ex.add_argument("--graph", help="graph file (default: out/graph.trig when no store)")
    ex.add_argument("--out", default="out/publish", help="folder (default: out/publish)")
    ex.add_argument("--base", default=DEFAULT_BASE, help="base IRI the graph was built with")
    ex.add_argument("--endpoint", help="the public SPARQL endpoint, for void.ttl")
    ex.add_argument("--url", help="where the folder will be published (default: relative IRIs)")
    ex.add_argument("--license", default=None, help="licence IRI (default: CC BY 4.0)")
    ex.set_defaults(run=_run_export)

    pu = sub.add_parser("push", help="send the store's graphs to a SPARQL 1.1 server")
    pu.add_argument("--endpoint", required=True, metavar="URL", help="the server's query URL")
    pu.add_argument("--store", default="out/store", help="corpus store folder (default: out/store)")
    pu.add_argument("--update-endpoint", metavar="URL", help="SPARQL Update URL (default: derived)")
    pu.add_argument("--gsp", metavar="URL", help="Graph Store Protocol URL (default: derived)")
    pu.add_argument(
        "--batch", type=int, default=50_000, help="triples per request (default: 50000)"
    )
    pu.add_argument("--all", action="store_true", help="send every graph, changed or not")
    pu.add_argument("--quiet", "-q", action="store_true", help="print errors only")
    _endpoint_args(pu)
    pu.set_defaults(run=_run_push)
    return parser


def _endpoint_args(p: argparse.ArgumentParser) -> None:
    """Credentials and modes of a SPARQL server (docs/remote.md)."""
    p.add_argument("--user", help="user name (password from --password or $RESGRAPH_PASSWORD)")
    p.add_argument("--password", help="password (visible to `ps`: prefer $RESGRAPH_PASSWORD)")
    p.add_argument("--token", help="bearer token (or $RESGRAPH_TOKEN)")
    p.add_argument(
        "--default-graph",
        choices=("push", "union"),
        help="push: the store's union goes into the server's default graph; "
        "union: the server unions its named graphs itself (default: by server)",
    )
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per request (default: 60)")


def _endpoint(args: argparse.Namespace) -> Endpoint:
    import os

    from .remote import Endpoint

    return Endpoint.from_url(
        args.endpoint,
        update_url=getattr(args, "update_endpoint", None),
        gsp_url=getattr(args, "gsp", None),
        user=args.user,
        password=args.password or os.environ.get("RESGRAPH_PASSWORD"),
        token=args.token or os.environ.get("RESGRAPH_TOKEN"),
        timeout=args.timeout,
        default_graph=args.default_graph,
    )


def _run_push(args: argparse.Namespace) -> int:
    from .corpus_store import CorpusStore
    from .remote import push

    endpoint = _endpoint(args)
    with CorpusStore.open(args.store) as store:
        report = push(store, endpoint, batch_triples=args.batch, force=args.all)
    if not args.quiet:
        print(report.summary())
    return EXIT_OK


def _run_build(args: argparse.Namespace) -> int:
    if args.no_store:
        return _run_build_memory(args)
    from .pipeline import build_store
    from .resources import example_path

    inputs = args.inputs or [str(example_path())]
    started = time.perf_counter()
    out = Path(args.out)
    store = Path(args.store) if args.store else out / "store"
    bar = _ProgressBar(sys.stderr) if not args.quiet and sys.stderr.isatty() else None
    # a build stopped between changing the store and finishing the files in --out (killed,
    # disk full) leaves this mark; the next build then exports even if the store is unchanged
    pending = out / ".export-pending"
    was_pending = pending.exists()
    out.mkdir(parents=True, exist_ok=True)
    pending.touch()
    try:
        result = build_store(
            inputs,
            store,
            base=args.base,
            encoding=args.encoding,
            max_bytes=args.max_bytes,
            strict=args.strict,
            validate=not args.no_validate,
            jobs=args.jobs,
            prune=args.prune,
            low_memory=args.low_memory,
            progress=bar,
        )
    finally:
        if bar is not None:
            bar.done()
    for err in result.errors:
        # InputError messages already start with the file name
        named = err.message.startswith(err.source)
        _error(err.message if named else f"{err.source}: {err.message}")
    if not result.documents:
        _error("nothing built: no input could be read as a resolution")
        return EXIT_INPUT
    big = result.triples > _AUTO_EXPORT_TRIPLES
    files = not args.no_export and (args.export or not big)
    page = not args.no_network_page and (args.network_page or not big)
    written = _export_store(result.store, out, files, page, result.changed or was_pending)
    pending.unlink(missing_ok=True)
    elapsed = time.perf_counter() - started
    if not args.quiet:
        _print_store_summary(result, written, elapsed)
        left = [
            what
            for what, asked, done in (
                ("graph.ttl/jsonld/nt/trig (`resgraph export`)", not args.no_export, files),
                ("network.html (`resgraph network`)", not args.no_network_page, page),
            )
            if asked and not done
        ]
        if left:
            print(
                f"not written: {' and '.join(left)}: the store holds over"
                f" {_AUTO_EXPORT_TRIPLES:,} triples (--export, --network-page: write them anyway)"
            )
    return _build_exit_code(result, args.strict)


# a store bigger than this (about 1,000 generated resolutions, a General Assembly session) is
# not exported and drawn again by every build unless asked: at 20,000 resolutions the four files
# and the page take minutes, where the store itself is rebuilt after one change in about a second
_AUTO_EXPORT_TRIPLES = 500_000


# up to this many triples the files in --out are written by rdflib as in a one-off build
# (JSON-LD compacted, each file re-parsed before it replaces the old one); above, Oxigraph
# writes them (seconds instead of minutes)
_SMALL_STORE_TRIPLES = 50_000


def _export_store(store: Path, out: Path, files: bool, page: bool, changed: bool) -> list[Path]:
    """graph.ttl/jsonld/nt/trig (`files`) and network.html (`page`) for what is in the store."""
    from .corpus_store import CorpusStore

    names = ["graph.ttl", "graph.jsonld", "graph.nt", "graph.trig"] if files else []
    if page:
        names.append("network.html")
    if not names or (not changed and all((out / n).is_file() for n in names)):
        return []  # nothing asked for, or the files in --out are the store's current export
    written: list[Path] = []
    with CorpusStore.open(store) as cs:
        if files:
            written += _export_files(cs, out)
        if page:
            from .network import Level, to_network
            from .render import render_network

            docs = cs.documents()
            title = (
                "resgraph — "
                + ", ".join(d.symbol for d in docs[:3])
                + (" …" if len(docs) > 3 else "")
            )
            drawn = out / "network.html"
            # one resolution: its clauses; a corpus: the document-level citation network
            level: Level = "clause" if len(docs) <= 1 else "document"
            render_network(to_network(cs, level=level), drawn, title=title)
            written.append(drawn)
    return written


def _export_files(cs: object, out: Path) -> list[Path]:
    from functools import partial

    from .atomic import atomic_write
    from .corpus_store import CorpusStore
    from .export import export_dataset, write_jsonld

    assert isinstance(cs, CorpusStore)
    if len(cs) <= _SMALL_STORE_TRIPLES:
        return export_dataset(cs.dataset(), out)

    def jsonld(path: Path) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            write_jsonld(cs.ox, fh)

    written = [
        atomic_write(out / f"graph.{fmt}", partial(cs.dump, fmt=fmt))
        for fmt in ("ttl", "nt", "trig")
    ]
    written.append(atomic_write(out / "graph.jsonld", jsonld))
    return written


class _ProgressBar:
    """`[#####-----] 120/339 file.xml` on one terminal line, redrawn at most 10 times a second."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.last = 0.0
        self.drawn = False

    def __call__(self, done: int, total: int, name: str) -> None:
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        import shutil

        width = shutil.get_terminal_size((80, 20)).columns
        filled = 24 * done // max(total, 1)
        text = f"[{'#' * filled}{'-' * (24 - filled)}] {done}/{total} {Path(name).name}"
        self.stream.write("\r" + text[: width - 1].ljust(width - 1))
        self.stream.flush()
        self.drawn = True

    def done(self) -> None:
        if self.drawn:
            import shutil

            self.stream.write("\r" + " " * (shutil.get_terminal_size((80, 20)).columns - 1) + "\r")
            self.stream.flush()


def _print_store_summary(result: object, written: list[Path], elapsed: float) -> None:
    from .pipeline import StoreBuild

    assert isinstance(result, StoreBuild)
    s = result.summary()
    clauses = ", ".join(f"{n} {kind}" for kind, n in s.clauses.items()) or "none"
    cites = ", ".join(f"{n} {kind}" for kind, n in s.citations.items()) or "none"
    print(
        f"documents:   {len(result.built)} built, {len(result.skipped)} unchanged, "
        f"{len(result.removed)} removed, {len(result.errors)} failed"
    )
    print(f"clauses:     {sum(s.clauses.values())} ({clauses})")
    print(f"footnotes:   {s.footnotes}")
    print(f"citations:   {sum(s.citations.values())} ({cites})")
    print(f"unresolved:  {s.unresolved}")
    print(f"store:       {result.store}: {result.documents} documents")
    print(f"triples:     {result.triples}")
    if result.shapes is not None:
        shapes = ", ".join(f"{n} {shape}" for shape, n in result.shapes.by_shape().items())
        print(
            f"shapes:      {s.shape_violations} violations ({shapes})"
            if shapes
            else "shapes:      conform"
        )
    if result.findings is not None:
        found = ", ".join(f"{n} {k.removesuffix('-violation')}" for k, n in s.findings.items() if n)
        print(f"findings:    {sum(s.findings.values())}" + (f" ({found})" if found else ""))
    print(f"written:     {', '.join(str(p) for p in written) or 'nothing'}")
    print(f"time:        {elapsed:.2f} s")


def _run_remove(args: argparse.Namespace) -> int:
    from .pipeline import remove_from_store

    removed, unknown = remove_from_store(args.store, args.names)
    if not args.quiet:
        for d in removed:
            print(f"removed {d.symbol} ({d.source})")
    for name in unknown:
        _error(f"{name}: no such document in {args.store}")
    return EXIT_INPUT if unknown else EXIT_OK


def _run_search(args: argparse.Namespace) -> int:
    from rdflib import Literal, URIRef

    from .corpus_store import CorpusStore
    from .store import QueryResult, format_result

    with CorpusStore.open(args.store) as cs:
        hits = cs.search(" ".join(args.text), limit=args.limit)
    result = QueryResult(
        "search",
        ("document", "kind", "iri", "snippet"),
        tuple(
            (Literal(h.symbol), Literal(h.kind), URIRef(h.iri), Literal(h.snippet)) for h in hits
        ),
    )
    sys.stdout.write(format_result(result, args.format))
    return EXIT_OK


def _run_build_memory(args: argparse.Namespace) -> int:
    from .export import export_dataset
    from .pipeline import build
    from .resources import example_path

    inputs = args.inputs or [str(example_path())]
    started = time.perf_counter()
    result = build(
        inputs,
        base=args.base,
        encoding=args.encoding,
        max_bytes=args.max_bytes,
        strict=args.strict,
        validate=not args.no_validate,
    )
    for err in result.errors:
        # InputError messages already start with the file name
        named = err.message.startswith(err.source)
        _error(err.message if named else f"{err.source}: {err.message}")
    if not result.documents:
        _error("nothing built: no input could be read as a resolution")
        return EXIT_INPUT
    out = Path(args.out)
    written = [] if args.no_export else export_dataset(result.dataset, out)
    if not args.no_network_page:
        from .network import Level, to_network
        from .render import render_network

        title = (
            "resgraph — "
            + ", ".join(d.heading.symbol or d.source.name for d in result.documents[:3])
            + (" …" if len(result.documents) > 3 else "")
        )
        page = out / "network.html"
        # one resolution: its clauses; a corpus: the document-level citation network
        level: Level = "clause" if len(result.documents) <= 1 else "document"
        render_network(to_network(result.dataset, level=level), page, title=title)
        written.append(page)
    elapsed = time.perf_counter() - started
    if not args.quiet:
        _print_summary(result, written, elapsed)
    return _build_exit_code(result, args.strict)


def _build_exit_code(result: BuildResult | StoreBuild, strict: bool) -> int:
    """Input errors first; shape violations and findings fail only under --strict."""
    if result.errors:
        return EXIT_INPUT
    shapes = result.shapes
    failed = shapes is not None and not shapes.conforms
    if strict and (failed or (result.findings is not None and result.findings.total)):
        if shapes is not None and failed:
            sys.stderr.write(shapes.text())
        return EXIT_CHECKS
    return EXIT_OK


def _print_summary(result: object, written: list[Path], elapsed: float) -> None:
    from .pipeline import BuildResult

    assert isinstance(result, BuildResult)
    s = result.summary()
    clauses = ", ".join(f"{n} {kind}" for kind, n in s.clauses.items()) or "none"
    cites = ", ".join(f"{n} {kind}" for kind, n in s.citations.items()) or "none"
    print(f"documents:   {s.documents}" + (f" ({s.errors} failed)" if s.errors else ""))
    print(f"clauses:     {sum(s.clauses.values())} ({clauses})")
    print(f"footnotes:   {s.footnotes}")
    print(f"citations:   {sum(s.citations.values())} ({cites})")
    print(f"unresolved:  {s.unresolved}")
    print(f"triples:     {s.triples}")
    if s.validated and result.shapes is not None:
        shapes = ", ".join(f"{n} {shape}" for shape, n in result.shapes.by_shape().items())
        print(
            f"shapes:      {s.shape_violations} violations ({shapes})"
            if shapes
            else "shapes:      conform"
        )
        found = ", ".join(f"{n} {k.removesuffix('-violation')}" for k, n in s.findings.items() if n)
        print(f"findings:    {sum(s.findings.values())}" + (f" ({found})" if found else ""))
    print(f"written:     {', '.join(str(p) for p in written)}")
    print(f"time:        {elapsed:.2f} s")


def _run_query(args: argparse.Namespace) -> int:

    from .store import format_result, run_query

    params: dict[str, str] = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise QueryError(f"--param {item!r}: expected NAME=VALUE")
        params[name.strip()] = value
    if args.endpoint:
        result = run_query(_endpoint(args), args.name, params, base=args.base)
        sys.stdout.write(format_result(result, args.format))
        return EXIT_OK
    chosen = _graph_source(args.store, args.graph)
    if chosen is None:
        raise InputError("out/graph.trig", "no such graph file (run `resgraph build` first)")
    kind, path = chosen
    if kind == "store":
        from .corpus_store import CorpusStore

        with CorpusStore.open(path) as cs:
            result = run_query(cs, args.name, params, base=args.base)
        sys.stdout.write(format_result(result, args.format))
        return EXIT_OK
    from .validate import load_graph_file

    # the same safe reader as `validate`: no JSON-LD context or XML entity is fetched
    ds = load_graph_file(path)
    result = run_query(ds, args.name, params, base=args.base)
    sys.stdout.write(format_result(result, args.format))
    return EXIT_OK


def _run_validate(args: argparse.Namespace) -> int:
    """Like pySHACL's command line: the report, exit 0 conforms, 1 violations, 2 error."""
    from .to_rdf import merge_datasets
    from .validate import load_graph_file, oxigraph_store, validate_graph, validate_store

    if args.store and args.graphs:
        raise InputError(args.store, "give graph files or --store, not both")
    sparql = (args.engine or ("sparql" if args.store else "pyshacl")) == "sparql"
    if args.store:
        from .corpus_store import CorpusStore

        with CorpusStore.open(args.store) as cs:
            report = validate_store(cs.ox) if sparql else validate_graph(cs.dataset())
    else:
        ds = merge_datasets(load_graph_file(p) for p in args.graphs or ["out/graph.trig"])
        report = validate_store(oxigraph_store(ds)) if sparql else validate_graph(ds)
    sys.stdout.write(report.text())
    return EXIT_OK if report.conforms else EXIT_CHECKS


def _run_eval(args: argparse.Namespace) -> int:
    import json

    from .evaluate import VARIANTS, evaluate

    chosen = args.variant or ["ods"]
    variants = list(VARIANTS) if "all" in chosen else list(dict.fromkeys(chosen))
    for p in args.paths:
        if not Path(p).exists():
            raise InputError(p, "no such file or folder")
    report = evaluate(args.paths, variants, gold=args.gold, workers=args.workers)
    if args.format == "json":
        sys.stdout.write(json.dumps(report.to_dict(), indent=1, default=str) + "\n")
    else:
        sys.stdout.write(report.table(worst=args.worst))
    return EXIT_OK


def _run_list_queries(args: argparse.Namespace) -> int:
    from .store import list_queries

    for q in list_queries():
        params = ", ".join(p.name + ("" if p.required else "?") for p in q.params)
        print(f"{q.name}({params})\n    {q.summary}")
    return EXIT_OK


def _run_network(args: argparse.Namespace) -> int:
    from .network import build_view, open_target
    from .render import render_network

    with open_target(args.graph, args.store) as target:
        g = build_view(
            target,
            args.view,
            focus=args.focus,
            depth=args.depth,
            base=args.base,
            session=args.session,
            organ=args.organ,
        )
    title = args.title or f"resgraph — {args.view} view" + (f": {args.focus}" if args.focus else "")
    render_network(g, args.out, title=title)
    if g.graph.get("notice"):
        _error(str(g.graph["notice"]))
    print(f"{args.out}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges")
    return EXIT_OK


def _run_analytics(args: argparse.Namespace) -> int:
    from .analytics import run_report
    from .network import open_target

    with open_target(args.graph, args.store) as target:
        sys.stdout.write(run_report(target, args))
    return EXIT_OK


def _graph_source(store: str | None, graph: str | None) -> tuple[str, Path] | None:
    """("store", folder) or ("file", path): what --store/--graph name, else out/ defaults."""
    if store:
        return "store", Path(store)
    if graph:
        if not Path(graph).is_file():
            raise InputError(graph, "no such graph file")
        return "file", Path(graph)
    if (Path("out/store") / "manifest.sqlite").is_file():
        return "store", Path("out/store")
    if Path("out/graph.trig").is_file():
        return "file", Path("out/graph.trig")
    return None


def _run_serve(args: argparse.Namespace) -> int:
    import os
    import tempfile

    from .resources import example_path
    from .serve import ServeConfig, Source, build_source, find_network_page, serve_forever

    with tempfile.TemporaryDirectory(prefix="resgraph-serve-") as work:
        chosen = None if args.inputs else _graph_source(args.store, args.graph)
        if chosen is None:
            source = build_source(args.inputs or [str(example_path())], args.base, Path(work))
            network = None
        else:
            kind, path = chosen
            source = Source("store" if kind == "store" else "file", path)
            network = find_network_page(source)
        config = ServeConfig(
            source=source,
            base=args.base,
            host=args.host,
            port=args.port,
            timeout=args.timeout,
            max_rows=args.max_rows,
            cors=args.cors,
            allow_update=args.allow_update,
            token=args.token or os.environ.get("RESGRAPH_TOKEN") or None,
            workers=args.workers,
            network_page=Path(args.network) if args.network else network,
            quiet=args.quiet,
        )
        serve_forever(config)
    return EXIT_OK


def _run_export(args: argparse.Namespace) -> int:
    from .export import DEFAULT_LICENSE, publish_graph_file, publish_store

    chosen = _graph_source(args.store, args.graph)
    if chosen is None:
        raise InputError("out/", "nothing to export: no out/store or out/graph.trig (build first)")
    kind, path = chosen
    options = {
        "base": args.base,
        "endpoint": args.endpoint,
        "url": args.url,
        "license": args.license or DEFAULT_LICENSE,
    }
    started = time.perf_counter()
    publish_ = publish_store if kind == "store" else publish_graph_file
    result = publish_(path, args.out, **options)
    print(
        f"{result.out}: {result.triples} triples ({result.quads} in {result.graphs} graphs), "
        f"{len(result.files)} files in {time.perf_counter() - started:.2f} s"
    )
    return EXIT_OK


def _error(message: str) -> None:
    print(f"resgraph: error: {message}", file=sys.stderr)
