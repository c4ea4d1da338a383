"""`python -m resgraph` is the `resgraph` command."""

from resgraph.cli import console_main

if __name__ == "__main__":
    console_main()
