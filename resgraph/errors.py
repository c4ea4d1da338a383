"""One error tree for the whole project; the CLI maps each class to an exit code."""

from __future__ import annotations


class ResgraphError(Exception):
    """Base class of every error resgraph raises on purpose."""


class InputError(ResgraphError):
    """An input file cannot be read: empty, binary, undecodable, too large, not a resolution.

    The message is one line and names the file and the problem.
    """

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


class PatternError(ResgraphError):
    """A bad data file under resgraph/patterns (names the file and the key)."""


class ParseError(ResgraphError):
    """Strict parsing met something it could not place."""


class MappingError(ResgraphError):
    """The document model cannot be turned into RDF."""


class QueryError(ResgraphError):
    """A named query is missing, malformed, or got bad parameters (names the .rq file)."""


class OutputError(ResgraphError):
    """An output file could not be written (the old file, if any, is left in place)."""


class StoreLockedError(ResgraphError):
    """The corpus store is in use: another process writes it (or reads it, for a writer).

    The message is one line and names the store and the holder.
    """


class RemoteError(ResgraphError):
    """A SPARQL server refused a request or could not be reached (one line: URL, status, why)."""


class WorkerError(ResgraphError):
    """A build worker process died abruptly (killed by a signal or for lack of memory)."""
