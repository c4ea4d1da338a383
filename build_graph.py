#!/usr/bin/env python3
"""Build the cross-reference graph of UN resolutions.

    python build_graph.py                 # the bundled example (A/RES/67/185)
    python build_graph.py FILE|FOLDER …   # your own inputs
    python build_graph.py --help          # options (--out DIR, --base IRI, …)

A thin entry over the same code as the `resgraph build` console command.
"""

from resgraph.cli import build_graph_main

if __name__ == "__main__":
    build_graph_main()
