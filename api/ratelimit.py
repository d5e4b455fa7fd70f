"""Rate limits (the `limits` package): moving windows kept in Redis when INVOLVE_REDIS_URL is set, so every
worker shares them, and in the process's memory otherwise.

Strict on sign-in (per account and per address) and on exports (per principal); generous on everything else
(per client address, in RateLimitMiddleware). If Redis is unreachable the request is let through and a
warning logged: an outage of the limiter must not become an outage of the API.

The strict rules count in a moving window: exact, and they are hit rarely. The generous one is hit by every request,
and a moving window kept in memory cost each ≈ 45-70 µs (it keeps every request's timestamp in a list and prunes it in
a thread); it counts in a sliding window instead (the `limits` package's approximation from two fixed windows'
counters, ≈ 13-17 µs with the event loop turning between hits: the package's async memory storage starts a task on
each hit to expire old counters; in all ≈ 10 % of a read by id's instructions; bench/README.md)."""

import functools
import hashlib
import hmac
import ipaddress
import logging
import math
import time

from fastapi import Depends, Request
from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter
from limits.aio.strategies import RateLimiter as Strategy
from limits.storage import storage_from_string

from api.auth.principal import Principal, current_principal
from api.config import Settings
from api.errors import AppError, problem_response

log = logging.getLogger("api.ratelimit")


class TooManyRequests(AppError):
    status, slug, title = 429, "too-many-requests", "Too many requests"


class RateLimiter:
    def __init__(self, settings: Settings):
        self.enabled = settings.rate_limit_enabled
        self._secret = settings.jwt_secret.encode()  # keys account_key's HMAC, as it keys idempotency's
        prefix = f"{settings.rate_limit_key_prefix}-ratelimit"
        if settings.redis_url:
            uri = "async+" + settings.redis_url if not settings.redis_url.startswith("async+") else settings.redis_url
            self.storage = storage_from_string(uri, key_prefix=prefix)
        else:
            self.storage = storage_from_string("async+memory://")
        exact, cheap = MovingWindowRateLimiter(self.storage), SlidingWindowCounterRateLimiter(self.storage)
        self.rules: dict[str, tuple[RateLimitItem, Strategy]] = {
            "token-account": (parse(settings.rate_limit_token_account), exact),
            "token-address": (parse(settings.rate_limit_token_address), exact),
            "exports": (parse(settings.rate_limit_exports), exact),
            "default": (parse(settings.rate_limit_default), cheap),
        }

    def account_key(self, kind: str, account: str, address: str) -> str:
        """The key an account's sign-in attempts from one address are counted under. The account is what was typed
        (an email, or a password in the wrong field) when it matches no one, and Redis keys are readable by whoever
        can read Redis: it goes in as an HMAC under the server's secret, not a plain SHA-256, which anyone holding a
        list of emails could match. Memory and Redis are keyed alike."""
        digest = hmac.new(self._secret, f"ratelimit\n{kind}\n{account}".encode(errors="surrogatepass"),
                          hashlib.sha256).hexdigest()
        return f"{kind}:{digest}|{address}"

    async def retry_after(self, rule: str, key: str) -> int | None:
        """Count one request against the rule for this key: None if allowed, else the seconds to wait."""
        if not self.enabled:
            return None
        item, strategy = self.rules[rule]
        try:
            if await strategy.hit(item, rule, key):
                return None
            stats = await strategy.get_window_stats(item, rule, key)
        except Exception as exc:  # noqa: BLE001 - fail open, see the module docstring
            log.warning("rate limiter unavailable", extra={"error": type(exc).__name__})
            return None
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def check(self, rule: str, key: str) -> None:
        """Raise 429 with Retry-After when the key is over the rule's limit."""
        wait = await self.retry_after(rule, key)
        if wait is not None:
            raise TooManyRequests(f"Too many requests; try again in {wait} s", headers={"Retry-After": str(wait)})


def client_address(request: Request) -> str:
    """Whom a per-address limit counts: an IPv4 address, or an IPv6 client's /64, since one host is given a whole /64
    and could take a fresh address for every request. Behind a proxy, `involve serve --forwarded-allow-ips` makes this
    the real client."""
    return _limited_unit(request.client.host) if request.client else "unknown"


@functools.lru_cache(maxsize=4096)
def _limited_unit(host: str) -> str:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:  # not an address (a test client's "testclient", a Unix socket)
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # ::ffff:10.0.0.1, an IPv4 client of a dual-stack socket
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return host


async def limit_exports(request: Request, principal: Principal = Depends(current_principal)) -> None:
    """Exports read the whole register, and verifying the audit chain or a pack the whole trail: a few a minute per
    principal, all of them together."""
    await request.app.state.rate_limiter.check("exports", str(principal.id))


class RateLimitMiddleware:
    """The generous limit on every /api/v1 request, per client address (the token endpoint has its own)."""

    def __init__(self, app, prefix: str = "/api/v1"):
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            return await self.app(scope, receive, send)
        request = Request(scope)
        limiter: RateLimiter = request.app.state.rate_limiter
        wait = await limiter.retry_after("default", client_address(request))
        if wait is None:
            return await self.app(scope, receive, send)
        response = problem_response(request, status=429, slug=TooManyRequests.slug, title=TooManyRequests.title,
                                    detail=f"Too many requests; try again in {wait} s",
                                    headers={"Retry-After": str(wait)})
        await response(scope, receive, send)
