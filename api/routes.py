"""Which route template and methods a raw path belongs to, read from the app's OpenAPI paths.

The access log names the template (never the raw path: it can carry ids), a 405 lists every
method the path serves in `Allow` and the request guard reads the media types a body may have. Built once
per app, on first use, from public FastAPI API."""

import re

from fastapi import FastAPI
from starlette.routing import compile_path

API_PREFIX = "/api/v1"  # every operation but the ops probes and the SPA lives under it
_OPERATION_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _segments(path: str) -> tuple[int, str]:
    """A path's number of segments and its fourth one, the resource under /api/v1 ("stakeholders"): a template's
    parameters match one segment each, so only templates that agree on both can match."""
    parts = path.split("/", 4)
    return path.count("/"), parts[3] if len(parts) > 3 else ""


class RouteTable:
    def __init__(self, app: FastAPI):
        self._entries: list[tuple[re.Pattern, str, set[str]]] = []
        self._body_types: dict[tuple[str, str], frozenset[str]] = {}
        # A literal segment before a parameter in the same place, as the router resolves them: the spec's templates
        # have lost their convertors (GET /stakeholders/{id} takes only a UUID), so in the spec's order
        # /stakeholders/{stakeholder_id} would claim /stakeholders/grid.
        paths = app.openapi().get("paths", {})
        for template in sorted(paths, key=lambda t: [segment.startswith("{") for segment in t.split("/")]):
            operations = paths[template]
            regex, _, _ = compile_path(template)
            methods = {m.upper() for m in operations if m in _OPERATION_METHODS}
            for method in methods:
                content = (operations[method.lower()].get("requestBody") or {}).get("content") or {}
                self._body_types[template, method] = frozenset(content)
            if "GET" in methods:  # the request guard answers HEAD as GET without the body (RFC 9110 § 9.3.2)
                methods.add("HEAD")
            self._entries.append((regex, template, methods))
        # The templates each path could match, in order, by its segments (a scan of them all cost a read ≈ 10 µs):
        # a template with a parameter for its resource segment goes with every resource of its length.
        self._candidates: dict[tuple[int, str], list[tuple[re.Pattern, str, set[str]]]] = {}
        self._any_resource: dict[int, list[tuple[re.Pattern, str, set[str]]]] = {}
        keys = {_segments(template) for _, template, _ in self._entries}
        for entry in self._entries:
            length, resource = _segments(entry[1])
            if resource.startswith("{"):
                self._any_resource.setdefault(length, []).append(entry)
            for key in keys:
                if key[0] == length and (key[1] == resource or resource.startswith("{")):
                    self._candidates.setdefault(key, []).append(entry)

    def match(self, path: str) -> tuple[str, set[str]] | None:
        length, resource = _segments(path)
        candidates = self._candidates.get((length, resource))
        for regex, template, methods in self._any_resource.get(length, ()) if candidates is None else candidates:
            if regex.match(path):
                return template, methods
        return None

    def body_types(self, template: str, method: str) -> frozenset[str]:
        """The media types the operation declares for its request body (none if it takes no body)."""
        return self._body_types.get((template, method), frozenset())


def route_table(app: FastAPI) -> RouteTable:
    table = getattr(app.state, "route_table", None)
    if table is None:
        table = app.state.route_table = RouteTable(app)
    return table


_MATCH_KEY = "involve.route_match"


def match_request(scope) -> tuple[str, set[str]] | None:
    """The template and methods of this request's path, matched once per request (a scan of every template):
    the request guard, a 405's Allow and the access log all ask."""
    if _MATCH_KEY not in scope:
        scope[_MATCH_KEY] = route_table(scope["app"]).match(scope["path"])
    return scope[_MATCH_KEY]
