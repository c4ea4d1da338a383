"""Write a file all at once or not at all.

rdflib and pyvis write straight into the destination, so an error mid-write
leaves a truncated file. Everything resgraph writes goes to a temporary file
in the same folder, is checked, and is then moved into place with
`os.replace` (atomic on POSIX and Windows): a reader sees the old file or the
new one, never a partial one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import OutputError


def atomic_write(
    path: str | Path,
    write: Callable[[Path], None],
    check: Callable[[Path], None] | None = None,
) -> Path:
    """Call `write(tmp)` then `check(tmp)`, and move `tmp` over `path` only if both succeed.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = atomic_write(d / "a.txt", lambda p: p.write_text("new"))
    >>> (d / "a.txt").read_text()
    'new'
    >>> def broken(p: pathlib.Path) -> None:
    ...     p.write_text("half")
    ...     raise RuntimeError("disk on fire")
    >>> try:
    ...     atomic_write(d / "a.txt", broken)
    ... except OutputError as exc:
    ...     print(str(exc).replace(str(d), "DIR"))
    DIR/a.txt: not written (disk on fire); the previous file is unchanged
    >>> (d / "a.txt").read_text(), sorted(x.name for x in d.iterdir())
    ('new', ['a.txt'])
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp makes the file private (0600); outputs are ordinary files (0666 - umask)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        write(tmp)
        if check is not None:
            check(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OutputError | KeyboardInterrupt | SystemExit):
            raise
        raise OutputError(f"{target}: not written ({exc}); the previous file is unchanged") from exc
    return target
