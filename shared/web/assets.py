"""Serving a feature's own static files, with versions for cache busting."""

import hashlib
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response


def asset_version(path: Path) -> str:
    """A short hash of the file, put in its URL so browsers refetch a changed one."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def add_static_route(
    router: APIRouter, path: str, folder: Path, types: dict[str, str]
) -> None:
    """Serves ``folder/<name>`` at ``path/<name>`` for the names in ``types`` only."""

    @router.get(path + "/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        if name not in types:
            return Response(status_code=404)
        return FileResponse(
            folder / name,
            media_type=types[name],
            headers={"Cache-Control": "public, max-age=3600"},
        )
