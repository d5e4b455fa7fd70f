"""Liveness, readiness and Prometheus metrics, outside /api/v1."""

import asyncio
import hmac
import os

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from pydantic import Field
from sqlalchemy import text

from api.auth.principal import PUBLIC, bearer_token
from api.errors import Unauthorized, problems
from api.schemas import ResponseModel

router = APIRouter(tags=["operations"])
READY_TIMEOUT = 2  # seconds


class Health(ResponseModel):
    status: str = Field(description="ok, or what is wrong")


@router.get("/healthz", response_model=Health, summary="Liveness", openapi_extra=PUBLIC)
async def healthz() -> Health:
    """The process is up and serving."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, summary="Readiness", responses=problems(503), openapi_extra=PUBLIC)
async def readyz(request: Request) -> Response | Health:
    """Ready when the database answers within two seconds; 503 otherwise."""
    from api.errors import problem_response

    try:
        # Taking the connection is inside the limit: with every pooled connection busy, the probe answers 503 in
        # time instead of waiting out the pool's timeout, past the orchestrator's own.
        async with asyncio.timeout(READY_TIMEOUT):
            async with request.app.state.db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means not ready
        return problem_response(request, status=503, slug="unavailable", title="Service unavailable",
                                detail="The database is unreachable")
    return Health(status="ok")


def metrics_registry() -> CollectorRegistry:
    """A fresh registry with the process, platform and GC collectors."""
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    return registry


@router.get("/metrics", summary="Prometheus metrics", response_class=Response, openapi_extra=PUBLIC,
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                             "description": "Prometheus text exposition format"}, **problems(401)})
async def metrics(request: Request) -> Response:
    """Request counts and latencies per route template (never per raw path), for Prometheus; with
    INVOLVE_METRICS_TOKEN set, only for `Authorization: Bearer` that token."""
    expected = request.app.state.settings.metrics_token
    if expected:
        given = bearer_token(request.headers.get("authorization")) or ""
        # Bytes, not str: compare_digest refuses non-ASCII text, and a header may carry any Latin-1 byte.
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise Unauthorized("The metrics need the scrape's bearer token")
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:  # several workers: add up their files
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = request.app.state.metrics_registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
