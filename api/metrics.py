"""Prometheus metrics per route template, on prometheus_client, recorded by the request-context middleware
(api.observability) from the same method, template, status and duration as the access log line.

prometheus-fastapi-instrumentator, which this replaces, searched FastAPI's routes again on every request (about a
tenth of a read's CPU); the template is matched once per request already. Raw paths are never labels: they can
carry ids."""

from prometheus_client import CollectorRegistry, Counter, Histogram

from api.guards import KNOWN_METHODS

# Latency buckets from 5 ms to 10 s: a read here takes a few milliseconds, an import or a report seconds.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
EXCLUDED = frozenset({"/metrics"})  # scraping is not traffic


class RequestMetrics:
    """`http_requests_total{method, handler, status}` (status as 2xx, 4xx, …) and
    `http_request_duration_seconds{method, handler}`, handler being the route template."""

    def __init__(self, registry: CollectorRegistry):
        self.requests = Counter("http_requests_total", "Requests by method, route template and status class",
                                ["method", "handler", "status"], registry=registry)
        self.duration = Histogram("http_request_duration_seconds", "Request latency by method and route template",
                                  ["method", "handler"], buckets=BUCKETS, registry=registry)
        self._series: dict[tuple[str, str, str], tuple] = {}  # labels() takes a lock and a lookup: keep each once

    def observe(self, method: str, handler: str, status: int, seconds: float) -> None:
        if handler in EXCLUDED:
            return
        method = method if method in KNOWN_METHODS else "other"  # the client picks the verb: bound the labels
        key = (method, handler, f"{status // 100}xx")
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = (self.requests.labels(*key), self.duration.labels(method, handler))
        series[0].inc()
        series[1].observe(seconds)
