"""Security headers on every response.

- `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer` everywhere.
- `Cache-Control: no-store` on every /api/v1 response (nearly all carry personal data), unless the
  handler set its own (the calendar feed does).
- A Content-Security-Policy that forbids framing everywhere; the SPA's (`default-src 'self'`, no inline
  script) on every page but the interactive API docs, which load Swagger UI and ReDoc from their CDN."""

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request

from api.errors import problem_response
from api.routes import API_PREFIX

# The NHS.UK design system's stylesheet loads its typeface (Frutiger, licensed for NHS services) from assets.nhs.uk:
# without it in font-src, every page logged a refused font and fell back to Arial.
STRICT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
              "font-src 'self' https://assets.nhs.uk; object-src 'none'; base-uri 'none'; form-action 'self'; "
              "frame-ancestors 'none'")
DOCS_CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = (f"default-src 'self'; script-src 'self' 'unsafe-inline' {DOCS_CDN}; style-src 'self' 'unsafe-inline' "
            f"{DOCS_CDN} https://fonts.googleapis.com; font-src 'self' https://fonts.gstatic.com; "
            f"img-src 'self' data: https://fastapi.tiangolo.com; worker-src 'self' blob:; object-src 'none'; "
            "base-uri 'none'; frame-ancestors 'none'")


DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
_COMMON = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY"))
_STRICT = (*_COMMON, (b"content-security-policy", STRICT_CSP.encode()))
_DOCS = (*_COMMON, (b"content-security-policy", DOCS_CSP.encode()))
_API = (*_STRICT, (b"cache-control", b"no-store"))


class SecurityHeadersMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        defaults = _API if path.startswith(API_PREFIX) else _DOCS if path in DOCS_PATHS else _STRICT

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                # A handler's own value wins (a download sets a sandboxing CSP): never send a header twice.
                message["headers"] = headers + [header for header in defaults if header[0] not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CorsMiddleware(CORSMiddleware):
    """Starlette's CORS, but a refused preflight is answered like every other error (problem+json) and without any
    Access-Control-Allow-* header: Starlette's sent its allowed methods and headers to any origin, in plain text."""

    async def __call__(self, scope, receive, send):
        headers = Headers(scope=scope)
        if scope["type"] == "http" and scope["method"] == "OPTIONS" and "origin" in headers \
                and "access-control-request-method" in headers:
            response = self.preflight_response(request_headers=headers)
            if response.status_code != 200:
                refused = ", ".join(response.body.decode().removeprefix("Disallowed CORS ").split(", "))
                response = problem_response(Request(scope), status=400, slug="cors-refused",
                                            title="Cross-origin request refused",
                                            detail=f"The preflight was refused for its {refused}",
                                            headers={"Vary": response.headers.get("vary", "Origin")})
            return await response(scope, receive, send)
        await super().__call__(scope, receive, send)
