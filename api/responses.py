"""JSON bodies written by orjson, for the reads that build plain dicts (already in their response model's shape)
instead of validating response models: the list and read-by-id paths that carry most of the traffic."""

import uuid
from collections.abc import Mapping
from typing import Any

import orjson
from fastapi import Response

# UTC as "Z", like pydantic writes an aware UTC datetime, so a dict and its model serialise alike.
_OPTIONS = orjson.OPT_UTC_Z


def _other(value: Any) -> str:
    """asyncpg returns ids as its own subclass of uuid.UUID, which orjson does not take for one."""
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def json_response(content: Any, *, headers: Mapping[str, str] | None = None) -> Response:
    return Response(orjson.dumps(content, default=_other, option=_OPTIONS), media_type="application/json",
                    headers=headers)
