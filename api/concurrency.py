"""ETag / If-Match: a row's version is its ETag; a write with a stale If-Match gets 412."""

from typing import Annotated

from fastapi import Header, Response

from api.errors import PreconditionFailed

IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=200,
                                       description="The ETag you last read; the write fails with 412 if it changed")]


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def check_if_match(if_match: str | None, version: int) -> None:
    """No header: the write goes ahead. A header that names no current version: 412."""
    if if_match is None:
        return
    tags = [t.strip().removeprefix("W/") for t in if_match.split(",")]
    if "*" not in tags and etag(version) not in tags:
        raise PreconditionFailed("If-Match does not match the current ETag; read the resource again")
