"""What the spec-generated sweeps (role matrix, cross-tenant) share: the operations read from the live app's
OpenAPI document, a generator of minimal valid request bodies from their schemas, and a "world": two tenants
on a database of their own, each with a user per role, and one row of every resource of tenant A created
through the API by walking the spec (so operations other features add are covered without editing this file).

The world commits (requests use the app's real sessions): its tests only check answers that do not depend
on what earlier requests changed (401/403 before any lookup; another tenant's ids → 404)."""

import asyncio
import itertools
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from api.auth.principal import ANONYMOUS, ROLES_EXTENSION
from api.main import create_app
from api.migrate import upgrade
from tests import factories
from tests.conftest import ROLES, make_settings
from tests.dbtools import scratch_database_url

# The spec of the code as it is now (not the committed file), so a new route is swept before `make openapi`.
SPEC: dict[str, Any] = create_app(make_settings("sqlite:///:memory:")).openapi()
METHODS = ("get", "put", "post", "patch", "delete")
_PARAM = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any] = field(repr=False, compare=False, hash=False)

    @property
    def id(self) -> str:
        return self.spec.get("operationId") or f"{self.method} {self.path}"

    @property
    def path_params(self) -> list[str]:
        return _PARAM.findall(self.path)

    @property
    def roles(self) -> list[str] | None:
        """Who may call it, from the spec's x-roles (None when the operation has no marker)."""
        return self.spec.get(ROLES_EXTENSION)

    @property
    def public(self) -> bool:
        return ANONYMOUS in (self.roles or [])


def operations() -> list[Operation]:
    return [Operation(m, p, op) for p, ops in SPEC["paths"].items() for m, op in ops.items() if m in METHODS]


def deref(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


# Free text that names the row: a tenant's marker goes in, so a list of another tenant can be searched for it.
NAME_FIELDS = ("name", "title", "label", "full_name", "description", "text")
_COUNTER = itertools.count(1)  # unique emails and names across every generated body
_PATTERNED = ("https://example.org/evidence", "+44 20 7946 0000", "SW1A 1AA", "en", "2026-03-10", "A", "0" * 64)


class BodyGenerator:
    """Minimal valid values for a JSON schema: examples when the schema has them, required properties
    (and name-like ones, carrying the marker) otherwise; `*_id` references filled from known ids."""

    def __init__(self, ids: dict[str, str], marker: str, overrides: dict[str, Any] | None = None):
        self.ids = ids
        self.marker = marker
        self.overrides = overrides or {}

    def value(self, schema: dict[str, Any], name: str = "") -> Any:
        if name in self.overrides:
            return self.overrides[name]
        schema = deref(schema)
        if "example" in schema:
            return schema["example"]
        if schema.get("examples"):
            return schema["examples"][0]
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return schema["enum"][0]
        for key in ("anyOf", "oneOf", "allOf"):
            if key in schema:
                options = [deref(s) for s in schema[key]]
                return self.value(next((s for s in options if s.get("type") != "null"), options[0]), name)
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            props = schema.get("properties", {})
            wanted = [k for k in props if k in schema.get("required", []) or k in NAME_FIELDS]
            return {k: self.value(props[k], k) for k in wanted}
        if kind == "array":
            return [self.value(schema.get("items", {}), name) for _ in range(schema.get("minItems", 0))]
        if kind == "integer" or kind == "number":
            low = schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1)
            return int(low) if kind == "integer" else float(low)
        if kind == "boolean":
            return False
        if kind == "null":
            return None
        return self.string(schema, name)

    def string(self, schema: dict[str, Any], name: str) -> str:
        fmt = schema.get("format")
        n = next(_COUNTER)
        if fmt == "uuid":
            return self.ids.get(name) or self.ids.get(name.removeprefix("owner_").removeprefix("assignee_")) \
                or str(uuid.uuid4())
        if fmt == "date-time":
            return "2026-03-10T14:00:00+00:00"
        if fmt == "date":
            return "2026-03-10"
        if fmt == "email":
            return f"{self.marker}-{n}@example.org"
        if fmt == "password":
            return "a-long-enough-password-123"
        if fmt in ("uri", "url"):
            return "https://example.org/evidence"
        text = f"{self.marker} {name or 'value'} {n}"
        candidates = (text, *_PATTERNED)
        pattern = schema.get("pattern")
        low, high = schema.get("minLength", 0), schema.get("maxLength", 10_000)
        for candidate in candidates:
            candidate = candidate[:high].ljust(low, "x")
            if not pattern or re.search(pattern, candidate):
                return candidate
        return text


@dataclass
class Request:
    method: str
    url: str
    json: Any = None
    data: dict[str, Any] | None = None
    content: str | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    headers: dict[str, str] = field(default_factory=dict)


# The smallest file every upload accepts: a PDF (its magic bytes are checked).
UPLOAD = ("evidence.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")


def build_request(op: Operation, ids: dict[str, str], generator: BodyGenerator) -> Request:
    """A request an allowed caller could send: path ids from `ids` (a random one when unknown), required
    query parameters, and a minimal valid body."""
    url = op.path
    for name in op.path_params:
        url = url.replace("{" + name + "}", ids.get(name) or str(uuid.uuid4()))
    params = {}
    for param in op.spec.get("parameters", []):
        if param.get("in") == "query" and param.get("required"):
            params[param["name"]] = generator.value(param.get("schema", {}), param["name"])
    if params:
        url += "?" + str(httpx.QueryParams(params))
    request = Request(op.method.upper(), url)
    content = op.spec.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        request.json = generator.value(content["application/json"].get("schema", {}))
    elif "application/x-www-form-urlencoded" in content:
        request.data = generator.value(content["application/x-www-form-urlencoded"].get("schema", {}))
    elif "multipart/form-data" in content:
        schema = deref(content["multipart/form-data"].get("schema", {}))
        binary = {name for name, prop in schema.get("properties", {}).items()
                  if deref(prop).get("format") == "binary" or deref(prop).get("contentMediaType")}
        fields = generator.value({**schema, "properties": {k: v for k, v in schema.get("properties", {}).items()
                                                           if k not in binary},
                                  "required": [r for r in schema.get("required", []) if r not in binary]})
        request.data = {k: v for k, v in (fields or {}).items() if v is not None}
        request.files = {name: UPLOAD for name in binary}
    elif "text/csv" in content:
        request.content, request.headers["Content-Type"] = "", "text/csv"
    return request


async def send(client: httpx.AsyncClient, request: Request, headers: dict[str, str]) -> httpx.Response:
    return await client.request(request.method, request.url, json=request.json, data=request.data,
                                content=request.content, files=request.files, headers={**request.headers, **headers})


@dataclass
class World:
    client: httpx.AsyncClient
    headers: dict[str, dict[str, dict[str, str]]]  # tenant ("a"/"b") → role → Authorization header
    ids: dict[str, str]  # path parameter name → the id of tenant A's row
    owned: set[str]  # ids of rows that belong to tenant A alone
    secrets: set[str]  # other strings of tenant A's that tenant B must never see (marker, emails, tenant id)
    marker: str
    admin_email: str
    unresolved: set[str] = field(default_factory=set)
    references: dict[str, str] = field(default_factory=dict)  # body fields naming shared rows (the catalogue)

    def generator(self) -> BodyGenerator:
        # A real account's credentials, so the token grant succeeds.
        return BodyGenerator(self.ids, self.marker, {"username": self.admin_email, "password": factories.PASSWORD,
                                                     **self.references})

    def row_ids(self) -> dict[str, str]:
        """The path values that are row ids (a version number is a path value but no id)."""
        return {k: v for k, v in self.ids.items() if not v.isdigit()}


def _item_param(creator: Operation, paths: set[str]) -> str | None:
    """`POST /plans/{plan_id}/risks` creates what `/plans/{plan_id}/risks/{risk_id}` names: risk_id."""
    for path in paths:
        rest = path.removeprefix(creator.path + "/")
        if path != creator.path and path.startswith(creator.path + "/") and re.fullmatch(r"\{[^}/]+\}", rest):
            return rest[1:-1]
    return None


async def populate(world: World) -> None:
    """One row of every resource of tenant A, created through the API by its admin: each POST on a collection
    whose item path names a parameter creates that parameter's id, repeated while new ids appear (a plan
    before its risks). Ids no POST creates (catalogue rows) are read from the first row of the collection."""
    ops = operations()
    paths = {op.path for op in ops}
    admin = world.headers["a"]["admin"]
    creators = sorted((op for op in ops if op.method == "post" and _item_param(op, paths)),
                      key=lambda op: len(op.path_params))
    # Evidence names a requirement of the built-in catalogue, which no path creates.
    duties = (await world.client.get("/api/v1/duties", headers=admin)).json()["items"]
    world.references["requirement_id"] = duties[0]["requirements"][0]["id"]
    progress = True
    while progress:
        progress = False
        for op in creators:
            param = _item_param(op, paths)
            if param in world.ids or any(p not in world.ids for p in op.path_params):
                continue
            response = await send(world.client, build_request(op, world.ids, world.generator()), admin)
            if response.is_success and isinstance(response.json(), dict) and "id" in response.json():
                world.ids[param] = response.json()["id"]
                world.owned.add(response.json()["id"])
                progress = True
    for op in ops:  # singletons written by PUT (applicability record, scrutiny record, attendance)
        if op.method == "put" and all(p in world.ids for p in op.path_params):
            await send(world.client, build_request(op, world.ids, world.generator()), admin)
    wanted = {p for op in ops for p in op.path_params} - set(world.ids)
    for op in ops:
        param = _item_param(op, paths)
        if op.method != "get" or param not in wanted or any(p not in world.ids for p in op.path_params):
            continue
        mine = await world.client.get(build_request(op, world.ids, world.generator()).url, headers=admin)
        theirs = await world.client.get(op.path, headers=world.headers["b"]["admin"]) if not op.path_params \
            else None
        items = mine.json().get("items", []) if mine.is_success else []
        if items and param in items[0]:  # a key other than an id (a version number) is not secret
            world.ids[param] = str(items[0][param])
        elif items and "id" in items[0]:
            world.ids[param] = items[0]["id"]
            shared = theirs is not None and items[0]["id"] in theirs.text
            if not shared:
                world.owned.add(items[0]["id"])
    world.unresolved = {p for op in ops for p in op.path_params} - set(world.ids)


async def _seed(app) -> tuple[dict, set[str], str]:
    """Two tenants with a user of every role, written straight to the database."""
    db = app.state.db
    headers: dict[str, dict[str, dict[str, str]]] = {}
    secrets: set[str] = set()
    admin_email = ""
    async with db.write_sessions() as session:
        for key in ("a", "b"):
            tenant = await factories.tenant(session, slug=f"sweep-{key}-{uuid.uuid4().hex[:6]}")
            headers[key] = {}
            for role in ROLES:
                user = await factories.user(session, tenant, role=role)
                headers[key][role] = factories.auth_headers(app, user)
                if key == "a":
                    secrets |= {str(user.id), user.email}
                    admin_email = user.email if role == "admin" else admin_email
            if key == "a":
                secrets |= {str(tenant.id), tenant.slug}
        await session.commit()
    return headers, secrets, admin_email


async def make_world(suffix: str):
    """Yields a populated World on a fresh database of its own."""
    url = await asyncio.to_thread(scratch_database_url, suffix)  # it runs its own event loop
    await asyncio.to_thread(upgrade, url)
    settings = make_settings(url, db_null_pool=True)
    app = create_app(settings)
    headers, secrets, admin_email = await _seed(app)
    marker = f"alpha{uuid.uuid4().hex[:8]}"
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        world = World(client, headers, {}, set(), secrets | {marker}, marker, admin_email)
        await populate(world)
        yield world
    await app.state.db.dispose()


def is_problem(response: httpx.Response, status: int) -> bool:
    return (response.status_code == status
            and response.headers.get("content-type", "").startswith("application/problem+json")
            and response.json().get("status") == status)
