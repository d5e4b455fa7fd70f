"""ETag / If-Match: a row's version is its ETag; a write with a stale If-Match gets 412."""

from typing import Annotated

from fastapi import Header, Response

from api.errors import PreconditionFailed

IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=200,
                                       description="The ETag you last read; the write fails with 412 if it changed")]


ETAG_HEADER = {"description": "The resource's version (its `version`): send it as If-Match on the next write",
               "schema": {"type": "string"}}


def document_etags(app) -> None:
    """Publish the ETag header on every 200 and 201 response of app.openapi() whose body is a resource with a
    `version`, which is what each such response carries (set_etag; the role-matrix test checks the two agree)."""
    render = app.openapi

    def openapi() -> dict:
        schema = render()
        schema["components"].setdefault("headers", {})["ETag"] = ETAG_HEADER
        models = schema["components"].get("schemas", {})
        for path_item in schema["paths"].values():
            for operation in path_item.values():
                for status in ("200", "201"):
                    response = operation.get("responses", {}).get(status, {})
                    ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
                    if "version" in models.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}):
                        response.setdefault("headers", {})["ETag"] = {"$ref": "#/components/headers/ETag"}
        return schema

    app.openapi = openapi


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def check_if_match(if_match: str | None, version: int) -> None:
    """No header: the write goes ahead. A header that names no current version: 412. A weak tag (W/"1") matches its
    version, against RFC 9110's strong comparison, on purpose: an ETag here is the record's version, not its bytes,
    and a proxy that compresses the response (nginx's gzip) hands the client W/"1" for "1"; refusing it would leave
    that client unable to write at all, and the version still protects against the lost update."""
    if if_match is None:
        return
    tags = [t.strip().removeprefix("W/") for t in if_match.split(",")]
    if "*" not in tags and etag(version) not in tags:
        raise PreconditionFailed("If-Match does not match the current ETag; read the resource again")
