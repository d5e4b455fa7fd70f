"""Serve the built web client (clients/web/dist) at `/` when it is present.

Hooked in as the router's fallback, so it only sees requests no API route matched: API 404s and 405s keep
their problem+json answers, and deep links such as /stakeholders/<id> get index.html for the client router."""

from pathlib import Path

from fastapi import FastAPI
from starlette.responses import FileResponse
from starlette.types import Receive, Scope, Send

DEFAULT_DIST = Path(__file__).resolve().parent.parent / "clients" / "web" / "dist"
# Paths that belong to the API or operations: never answered with the app.
RESERVED = ("/api/", "/api", "/healthz", "/readyz", "/metrics", "/docs", "/redoc", "/openapi.json")


def _file_in(dist: Path, path: str) -> Path | None:
    """The file under dist named by the request path, or None (also for anything escaping dist)."""
    try:
        candidate = (dist / path.lstrip("/")).resolve()
        if candidate.is_file() and candidate.is_relative_to(dist):
            return candidate
    except (ValueError, OSError):  # a NUL in the path, a name too long: no such file (not a 500, nor a 503)
        pass
    return None


def install(app: FastAPI, dist: Path | None = None) -> bool:
    """Serve dist's files and index.html for unknown GET paths; returns False (and changes nothing)
    when dist has no index.html."""
    dist = (dist or DEFAULT_DIST).resolve()
    index = dist / "index.html"
    if not index.is_file():
        return False
    not_found = app.router.default

    async def fallback(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or path.startswith(RESERVED):
            await not_found(scope, receive, send)
            return
        file = _file_in(dist, path)
        if file is not None and file.parent.name == "assets":
            # Vite puts a content hash in every asset's name: safe to cache for a year.
            headers = {"Cache-Control": "public, max-age=31536000, immutable"}
        else:
            file, headers = file or index, {"Cache-Control": "no-cache"}
        await FileResponse(file, headers=headers)(scope, receive, send)

    app.router.default = fallback
    return True
