"""A real SPARQL 1.1 server for the tests: pytest fixtures (load with `pytest_plugins`).

`sparql_server_url` is the query URL of a server the tests may write to:
$RESGRAPH_TEST_ENDPOINT when set (.ci/run starts one), else an Oxigraph
server this module starts on a free local port with its data in a temporary
folder (the `oxigraph` binary of the venv, PyPI package `oxigraph`), stopped
at the end of the session. When neither is possible the tests are skipped,
unless $CI is set: then they fail, so a CI run never passes by skipping.

`sparql_endpoint` gives each test an Endpoint to a server emptied first
(DROP ALL): the server named by $RESGRAPH_TEST_ENDPOINT is for tests only.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from resgraph.remote import Endpoint

ENV_ENDPOINT = "RESGRAPH_TEST_ENDPOINT"
# a cold server on a loaded 2-core machine can take a few seconds to answer
STARTUP_SECONDS = 30.0


def _unavailable(reason: str) -> None:
    """Skip, or fail under CI (a missing server there is a broken CI, not a skip)."""
    if os.environ.get("CI"):
        pytest.fail(f"no SPARQL server for the remote tests: {reason}", pytrace=False)
    pytest.skip(f"no SPARQL server for the remote tests: {reason}")


def oxigraph_binary() -> str | None:
    """The `oxigraph` server binary of this venv, else one on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("oxigraph")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def answers(query_url: str, timeout: float = 2.0) -> bool:
    """Whether a SPARQL server at `query_url` answers `ASK {}`."""
    request = urllib.request.Request(
        query_url,
        data=b"ASK {}",
        method="POST",
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def wait_until_answers(query_url: str, seconds: float = STARTUP_SECONDS) -> bool:
    """Poll the server until it answers or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if answers(query_url):
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(scope="session")
def sparql_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The query URL of a SPARQL server the tests may empty and write to."""
    given = os.environ.get(ENV_ENDPOINT)
    if given:
        if not wait_until_answers(given):
            _unavailable(f"${ENV_ENDPOINT}={given} does not answer")
        yield given
        return
    binary = oxigraph_binary()
    if binary is None:
        _unavailable("the oxigraph binary is not installed (pip install oxigraph)")
        return
    folder = tmp_path_factory.mktemp("oxigraph")
    port = free_port()
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [binary, "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        if not wait_until_answers(url):
            process.kill()
            text = (folder / "server.log").read_text(errors="replace")[-500:]
            _unavailable(f"{binary} did not answer on port {port}: {text}")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def clear_server(endpoint: Endpoint) -> None:
    """DROP ALL on the server: every graph, the default graph too."""
    assert endpoint.update_url is not None
    request = urllib.request.Request(
        endpoint.update_url,
        data=b"DROP SILENT ALL",
        method="POST",
        headers={"Content-Type": "application/sparql-update"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert 200 <= response.status < 300


@pytest.fixture
def sparql_endpoint(sparql_server_url: str) -> Endpoint:
    """An Endpoint to the test server, emptied first so each test starts clean."""
    endpoint = Endpoint.from_url(sparql_server_url, backoff=0.05)
    clear_server(endpoint)
    return endpoint


class ScriptedServer:
    """A tiny local HTTP server that answers from a script, then proxies to `upstream`.

    `script` is a list of (status, headers, body) answered in turn, one per
    request, whatever the request; when it runs out, requests are forwarded to
    `upstream` (scheme://host:port) unchanged, or answered 404 without one.
    Every request is recorded as (method, path) in `requests`, its headers in `headers`. Use it as a
    context manager; `url(path)` is the address of a path on it.
    """

    def __init__(
        self,
        script: list[tuple[int, dict[str, str], bytes]] | None = None,
        upstream: str | None = None,
        *,
        repeat: bool = False,
    ) -> None:
        self.script = list(script or [])
        self.upstream = upstream
        self.repeat = repeat  # answer the script's last entry forever
        self.requests: list[tuple[str, str]] = []
        self.headers: list[dict[str, str]] = []  # the headers of each request
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def url(self, path: str = "/") -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def __enter__(self) -> ScriptedServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                owner.requests.append((self.command, self.path))
                owner.headers.append(dict(self.headers.items()))
                if owner.script:
                    status, headers, payload = (
                        owner.script[0] if owner.repeat else owner.script.pop(0)
                    )
                    self._reply(status, headers, payload)
                elif owner.upstream is None:
                    self._reply(404, {}, b"nothing here")
                else:
                    self._forward(body)

            def _forward(self, body: bytes) -> None:
                assert owner.upstream is not None
                keep = ("Content-Type", "Accept", "Authorization")
                request = urllib.request.Request(
                    owner.upstream + self.path,
                    data=body if self.command in ("PUT", "POST") else None,
                    method=self.command,
                    headers={k: v for k, v in self.headers.items() if k in keep},
                )
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:
                        self._reply(response.status, dict(response.headers), response.read())
                except urllib.error.HTTPError as err:
                    self._reply(err.code, dict(err.headers), err.read())

            def _reply(self, status: int, headers: dict[str, str], payload: bytes) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep the test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
