"""create_app(): routers, middleware, exception handlers, operation ids."""

import gc
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import APIRoute

from api import errors, spa
from api.actions.router import router as actions_router
from api.activities.router import router as activities_router
from api.assessments.router import router as assessments_router
from api.audit_events.router import router as audit_events_router
from api.auth.oidc import OidcVerifier
from api.auth.principal import mark_roles
from api.auth.router import router as auth_router
from api.calendar.router import router as calendar_router
from api.concurrency import document_etags
from api.config import Settings, get_settings
from api.consultations.router import router as consultations_router
from api.db import Database, SessionMiddleware
from api.documents.router import router as documents_router
from api.duties.router import router as duties_router
from api.duty_assessments.router import router as duty_assessments_router
from api.duty_report.router import router as duty_report_router
from api.evidence.router import router as evidence_router
from api.evidence_pack.router import router as evidence_pack_router
from api.exports.router import router as exports_router
from api.feedback.router import router as feedback_router
from api.gdpr.router import router as gdpr_router
from api.guards import RequestGuardMiddleware
from api.headers import CorsMiddleware, SecurityHeadersMiddleware
from api.imports.router import router as imports_router
from api.metrics import RequestMetrics
from api.observability import RequestContextMiddleware, configure_logging
from api.openapi import document_responses
from api.ops.router import metrics_registry
from api.ops.router import router as ops_router
from api.organisations.router import router as organisations_router
from api.plans.router import router as plans_router
from api.ratelimit import RateLimiter, RateLimitMiddleware
from api.reports.router import router as reports_router
from api.risks.router import router as risks_router
from api.routes import API_PREFIX, route_table
from api.scrutiny.router import router as scrutiny_router
from api.security import TokenCodec
from api.service_accounts.router import router as service_accounts_router
from api.stakeholders.hot_reads import HotReads
from api.stakeholders.router import router as stakeholders_router
from api.tenant_settings.router import router as tenant_settings_router
from api.users.router import router as users_router

DESCRIPTION = """Involve keeps an NHS body's stakeholder register, its engagement record and the evidence
that it met its legal duty to involve the public.

Authenticate with `POST /api/v1/auth/token` and send `Authorization: Bearer <token>`.
Lists page with `?limit=` and the opaque `?cursor=`; errors are RFC 9457 problem+json."""


# Problems any /api/v1 operation may answer with, declared on each; 413 and 415 only where a body can be refused
# (document_responses).
API_PROBLEMS = errors.problems(400, 401, 403, 422, 429, 500, 503)


def operation_id(route: APIRoute) -> str:
    """`{tag}-{handler}`, so generated clients read `stakeholders.listStakeholders`."""
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    db = Database(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Built from the OpenAPI document (seconds of CPU): before the first request, not during it.
        route_table(app)
        # What start-up built (≈ 300,000 objects: routes, models, metadata) lives as long as the worker. Frozen out of
        # the cyclic collector, a full collection stops rescanning it: 220 ms every few hundred list requests, with
        # the event loop stalled throughout, fell to ≈ 1 ms.
        gc.collect()
        gc.freeze()
        yield
        await db.dispose()

    # FastAPI's own OpenTelemetry hooks are off: Involve's metrics are Prometheus's (/metrics) and no OpenTelemetry
    # provider is ever configured, yet the hooks looked for one on every request (≈ 4 % of a read by id's
    # instructions, bench/README.md).
    # redirect_slashes: the request guard redirects a trailing slash itself, with a relative Location.
    app = FastAPI(title="Involve API", version="1.0.0", description=DESCRIPTION, lifespan=lifespan,
                  redirect_slashes=False, generate_unique_id_function=operation_id,
                  telemetry={"tracing": False, "metrics": False, "logs": False})
    app.state.settings = settings
    app.state.db = db
    app.state.tokens = TokenCodec(settings)
    app.state.oidc = OidcVerifier(settings) if settings.oidc_enabled else None
    app.state.rate_limiter = RateLimiter(settings)

    errors.install(app)
    # Each feature router straight on the app, not under one /api/v1 router: FastAPI matches included routers
    # lazily, re-walking the tree below each level on every request, and one level fewer halved that cost.
    # A request is tried against the routers in this order, so the stakeholder register, which carries most of the
    # traffic, comes first: after three other routers, a read by id cost 11 % more instructions (callgrind). No
    # paths overlap (GET /stakeholders/{id} takes only a UUID, so /stakeholders/grid falls through to assessments).
    for router in (stakeholders_router, auth_router, organisations_router, assessments_router, plans_router,
                   actions_router, risks_router, activities_router, feedback_router, calendar_router, reports_router,
                   tenant_settings_router, users_router, service_accounts_router, audit_events_router,
                   imports_router, exports_router, duties_router, duty_assessments_router, consultations_router,
                   documents_router, scrutiny_router, evidence_router, duty_report_router, evidence_pack_router,
                   gdpr_router):
        app.include_router(router, prefix=API_PREFIX, responses=API_PROBLEMS)
    app.include_router(ops_router)
    mark_roles(app)  # x-roles on every operation, from its role dependency
    document_etags(app)  # the ETag header on every response that is a versioned resource
    document_responses(app)  # Location on the 201s, 413 and 415 where a body can be refused

    # A registry per app, so several apps in one process (tests, reloads) each count their own requests.
    app.state.metrics_registry = metrics_registry()
    # Outermost last: request id (with the access log and metrics), security headers, CORS, the 500 of an unhandled
    # error, rate limit, the body and method guards, the closing of the request's database session, then the hot
    # reads (which use none).
    app.add_middleware(HotReads, fastapi_app=app)
    app.add_middleware(SessionMiddleware)
    app.add_middleware(RequestGuardMiddleware, max_body_bytes=settings.max_body_bytes,
                       max_json_depth=settings.max_json_depth, max_pack_bytes=settings.max_pack_bytes)
    app.add_middleware(RateLimitMiddleware)
    app.add_middleware(errors.UnexpectedErrorMiddleware)  # an unhandled error's 500 still passes through the ones below
    if settings.cors_origins:
        app.add_middleware(CorsMiddleware, allow_origins=settings.cors_origins, allow_credentials=False,
                           allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                           allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key"],
                           expose_headers=["ETag", "Location", "X-Request-ID", "Retry-After"])
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestContextMiddleware, metrics=RequestMetrics(app.state.metrics_registry))
    spa.install(app, Path(settings.web_dist) if settings.web_dist else None)
    return app


def app_factory() -> FastAPI:
    """Entry point for uvicorn --factory (each worker builds its own app)."""
    settings = get_settings()
    configure_logging(settings.log_level)
    return create_app(settings)
