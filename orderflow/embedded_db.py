"""An embedded PostgreSQL server (pgserver) for running without a database URL."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def embedded_postgres(data_dir: Path) -> Iterator[str]:
    """Starts (or attaches to) the server whose data lives in ``data_dir``.

    The server stops when the last process that attached to it lets go, and its
    data stays in ``data_dir`` for the next start.
    """
    runtime_dir = data_dir.parent / "runtime"
    runtime_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))
    # Imported late: it is only needed when no DATABASE_URL is given.
    from pgserver.postgres_server import get_server

    data_dir.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir, cleanup_mode="stop")
    try:
        yield str(server.get_uri())
    finally:
        server.cleanup()
