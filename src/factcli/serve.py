"""`factcli serve`: the archive in a web browser, through Datasette and the `factcli.web` plugin.

The database is checked and brought to the current schema first (as every query command does),
then served over read-only connections that the plugin also makes ``query_only``: nothing a
browser sends can write the archive. Datasette is an optional dependency (``factcli[web]``),
imported only here, so the core never needs it.
"""

from __future__ import annotations

import errno
import socket
import sys
import threading
import webbrowser
from pathlib import Path
from typing import Any

from factcli.errors import FactcliError

DEFAULT_PORT = 8001
SETTINGS = {"facet_time_limit_ms": 500, "suggest_facets": False}
"""Datasette's facet suggestions count the whole table without a time limit, and at a million
statements that count alone takes longer than Datasette allows a page: `who_said` would fail.
The facets factcli configures are kept, and each gives up after half a second."""


def build(path: Path) -> Any:
    """A Datasette instance on the archive at `path` (checked and migrated first)."""
    from factcli.store.reading import open_query_db

    open_query_db(path).close()
    try:
        from datasette.app import Datasette
    except ImportError:
        raise FactcliError(
            "factcli serve needs Datasette: pip install 'factcli[web]'", exit_code=2
        ) from None
    return Datasette([str(Path(path).expanduser())], settings=SETTINGS)


def serve(
    path: Path, *, host: str = "127.0.0.1", port: int = DEFAULT_PORT, open_browser: bool = False
) -> None:
    """Serve the archive until Ctrl-C; a taken port or a bad host is one clear error."""
    app = build(path)
    import datasette.handle_exception
    import uvicorn

    # Datasette prints every error page's traceback (a 404 for a mistyped address included)
    # with its locals when rich is installed, as it is with factcli; the page says enough.
    datasette.handle_exception.rich = None

    _check_address(host, port)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}/"
    sys.stderr.write(f"serving {path} read-only at {url} (Ctrl-C stops)\n")
    if open_browser:
        threading.Timer(1.0, webbrowser.open, [url]).start()
    uvicorn.run(app.app(), host=host, port=port, log_level="warning", lifespan="on")


def _check_address(host: str, port: int) -> None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise FactcliError(f"cannot listen on {host}: {e.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise FactcliError(
                    f"port {port} is already in use on {host}; choose another with --port"
                ) from None
            raise FactcliError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
