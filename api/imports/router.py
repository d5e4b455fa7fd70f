"""POST /imports/{resource} and GET /imports/{resource}/template, one pair per ResourceSpec."""

import copy
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal, current_principal, require
from api.db import get_session
from api.deps import Reader, SessionDep
from api.errors import PROBLEM_MEDIA_TYPE, UnsupportedMediaType, problem_response, problems
from api.idempotency import Idempotency
from api.imports import service
from api.imports.parsing import Body, problem_error
from api.imports.schemas import ImportProblem, ImportReport, OnConflict, OnError
from api.imports.specs import SPECS, ResourceSpec
from api.imports.validation import Options

router = APIRouter(tags=["imports"])

MEDIA_TYPES = {"text/csv": "csv", "application/json": "json", "application/x-ndjson": "ndjson",
               "application/ndjson": "ndjson"}


class ImportIdempotency(Idempotency):
    """Idempotency-Key for a streamed body: the request hash is computed while the import reads the body
    (never by buffering it), and covers the options too (Options.canonical), so a dry run's key cannot replay
    for a real import."""

    body: Body | None = None

    async def _request_hash(self) -> str:
        if self._hash is None:
            assert self.body is not None
            if not self.body.consumed:
                await self.body.drain()  # only to compare a retry with the stored request
            self._hash = self.body.request_hash()
        return self._hash


async def import_idempotency(
    request: Request,
    session: AsyncSession = Depends(get_session),
    principal: Principal = Depends(current_principal),
    key: str | None = Header(None, alias="Idempotency-Key", min_length=1, max_length=255,
                             description="Makes a retried import safe: the same key, options and body return the "
                                         "first response, and a retry waits for a first attempt still running"),
) -> ImportIdempotency:
    return ImportIdempotency(key=key, request=request, session=session, principal=principal)


ImportIdempotencyDep = Annotated[ImportIdempotency, Depends(import_idempotency)]


def _format(request: Request) -> str:
    """The body's format, from its Content-Type; a body in another charset, or compressed, is refused (415)
    before it is read."""
    codings = {c.strip().lower() for h in request.headers.getlist("content-encoding") for c in h.split(",")}
    if codings - {"", "identity"}:  # RFC 9110 §15.5.16: 415, and say which coding is taken
        raise UnsupportedMediaType("Send the body uncompressed, without a Content-Encoding",
                                   headers={"Accept-Encoding": "identity"})
    mime, _, params = request.headers.get("content-type", "").partition(";")
    media = MEDIA_TYPES.get(mime.strip().lower())
    charset = next((p.split("=", 1)[1].strip().strip('"').lower() for p in params.split(";")
                    if p.strip().lower().startswith("charset=")), "utf-8")
    if media is None or charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType("Send text/csv, application/json or application/x-ndjson, in UTF-8")
    return media


def _refused(request: Request, report: ImportReport) -> JSONResponse:
    errors = [problem_error(e.row, e.field, e.message) for e in report.errors]
    problem = problem_response(request, status=422, slug="import-failed", title="Rows failed; nothing was imported",
                               detail=f"{report.failed} of {report.rows} rows failed (on_error=abort); fix them, or "
                                      "send on_error=skip to import the others", errors=errors)
    body = orjson.loads(problem.body)
    body.update(created=report.created, updated=report.updated, skipped=report.skipped, failed=report.failed)
    return JSONResponse(body, status_code=422, media_type=PROBLEM_MEDIA_TYPE)


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with its local $defs written in place: an OpenAPI document resolves '#/...' from its
    own root, where these definitions do not live."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return walk(copy.deepcopy(defs[ref.removeprefix("#/$defs/")]))
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


def _request_body(spec: ResourceSpec) -> dict[str, Any]:
    row = _inline(spec.adapter.json_schema())
    return {"requestBody": {
        "required": True,
        "description": f"The rows: NDJSON (one object per line), a JSON array of the same objects, or CSV with a "
                       f"header row of these columns: {', '.join(spec.column_names)}. CSV lists are ';'-separated; "
                       "an empty cell clears an optional field and means 'not given' for the others.",
        "content": {
            "application/x-ndjson": {"schema": row},
            "application/json": {"schema": {"type": "array", "items": row}},
            "text/csv": {"schema": {"type": "string", "description": "UTF-8 CSV, with or without a BOM"}},
        },
    }}


def _add_routes(spec: ResourceSpec) -> None:
    Matches = Literal[tuple(m.value for m in spec.matches)]  # type: ignore[valid-type]
    Importer = Annotated[Principal, Depends(require(spec.roles))]

    async def import_rows(
        request: Request, session: SessionDep, caller: Importer, idempotency: ImportIdempotencyDep,
        dry_run: bool = Query(False, description="Validate everything and report what would happen; write nothing"),
        match: Matches = Query(spec.matches[0].value,  # type: ignore[valid-type]
                               description="The key that finds an existing record for a row"),
        on_conflict: OnConflict = Query(OnConflict.error, description="What a row matching an existing record does: "
                                        "update it, skip it, or fail"),
        on_error: OnError = Query(OnError.abort, description="abort: any failed row means nothing is written; "
                                  "skip: write the good rows and report the others"),
    ) -> Response:
        media = _format(request)
        # The options as understood, not as spelt: a retry giving them in another order, or a default spelt out,
        # is the same request (an unknown parameter was refused above).
        options = Options(dry_run=dry_run, match=match, on_conflict=on_conflict, on_error=on_error)
        prefix = f"{request.method} {request.url.path}?{options.canonical()}\n{media}\n".encode()
        body = Body(request, limit=request.app.state.settings.import_max_bytes, request_hash_prefix=prefix)
        body.check_declared_length()
        idempotency.body = body
        if replay := await idempotency.replay():
            return replay
        if dry_run:
            # A dry run writes nothing, not even its key's record: the key stays free for the import it previews.
            idempotency.key = None
        outcome = await service.run_import(session=session, caller=caller, spec=spec, options=options, body=body,
                                           media=media)
        if outcome.refused:  # its savepoint is rolled back already: nothing of it was written
            return _refused(request, outcome.report)
        response = await idempotency.respond(outcome.report, status_code=200)
        await session.commit()
        return response

    import_rows.__doc__ = (f"Create or update {spec.name} from CSV, a JSON array or NDJSON, in one transaction, with a "
                           "report of every failed row. Honours Idempotency-Key (a dry run stores nothing under its "
                           "key, which stays free for the import it previews). "
                           f"Roles: {', '.join(sorted(r.value for r in spec.roles))}.")
    router.add_api_route(
        f"/imports/{spec.name}", import_rows, methods=["POST"], name=f"import_{spec.name}",
        summary=f"Import {spec.name}", response_model=ImportReport,
        responses={**problems(409, 413, 415), 422: {
            **problems(422)[422], "model": ImportProblem,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ImportProblem"}}},
            "description": "Rows failed and on_error=abort, or the body cannot be read: nothing was written"}},
        openapi_extra=_request_body(spec))

    async def get_template(caller: Reader) -> Response:
        return Response(spec.template(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{spec.name}-template.csv"'})

    get_template.__doc__ = f"The CSV header row of {spec.a_label} import (the same columns as the export)."
    router.add_api_route(
        f"/imports/{spec.name}/template", get_template, methods=["GET"], name=f"get_{spec.name}_import_template",
        summary=f"The {spec.name} import template", response_class=Response,
        responses={200: {"description": "The header row", "content": {"text/csv": {"schema": {"type": "string"}}}}})


for _spec in SPECS.values():
    _add_routes(_spec)
