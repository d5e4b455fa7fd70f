"""Prometheus metrics per route template, as a plain ASGI middleware over prometheus_client.

The route template comes from api.routes.match_request, which the access log and the request guard already
ask for once per request; prometheus-fastapi-instrumentator, which this replaces, searched FastAPI's routes
again on every request (about a tenth of a read's CPU). Raw paths are never labels: they can carry ids."""

import time

from prometheus_client import CollectorRegistry, Counter, Histogram

from api.guards import KNOWN_METHODS
from api.routes import match_request

UNMATCHED = "<unmatched>"  # the same name the access log gives a path no route serves
# Latency buckets from 5 ms to 10 s: a read here takes a few milliseconds, an import or a report seconds.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class MetricsMiddleware:
    """`http_requests_total{method, handler, status}` (status as 2xx, 4xx, …) and
    `http_request_duration_seconds{method, handler}`, handler being the route template."""

    def __init__(self, app, *, registry: CollectorRegistry, excluded: frozenset[str] = frozenset({"/metrics"})):
        self.app = app
        self.excluded = excluded
        self.requests = Counter("http_requests_total", "Requests by method, route template and status class",
                                ["method", "handler", "status"], registry=registry)
        self.duration = Histogram("http_request_duration_seconds", "Request latency by method and route template",
                                  ["method", "handler"], buckets=BUCKETS, registry=registry)
        self._children: dict[tuple, tuple] = {}  # labels() takes a lock and a lookup; keep each pair once

    def _series(self, method: str, handler: str, status: str):
        key = (method, handler, status)
        found = self._children.get(key)
        if found is None:
            found = self._children[key] = (self.requests.labels(method, handler, status),
                                           self.duration.labels(method, handler))
        return found

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] in self.excluded:
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = 500

        async def send_with_status(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            found = match_request(scope)
            method = scope["method"] if scope["method"] in KNOWN_METHODS else "other"  # a client picks the verb
            counter, histogram = self._series(method, found[0] if found else UNMATCHED, f"{status // 100}xx")
            counter.inc()
            histogram.observe(time.perf_counter() - started)
