"""The committed contract at openapi/openapi.json is rendered from the code by this function, and what shared
machinery sends (Location, 413, 415) is published on the operations that send it, from one place."""

import json

from api.config import Settings
from api.errors import PROBLEM_MEDIA_TYPE, problems
from api.guards import BODY_METHODS, is_json
from api.routes import API_PREFIX

LOCATION_HEADER = {"description": "Where the new resource is: its path, to read it with GET",
                   "schema": {"type": "string", "format": "uri-reference"}}
# The 201s that send no Location: a calendar token has no URL of its own to read (README, "Where the API departs
# from the general conventions").
NO_LOCATION = frozenset({("post", f"{API_PREFIX}/calendar-tokens")})


def _problem(status: int) -> dict:
    """A problem response as FastAPI renders those declared with problems(), whose model adds application/json."""
    declared = problems(status)[status]
    body = declared["content"][PROBLEM_MEDIA_TYPE]
    return {"description": declared["description"], "content": {PROBLEM_MEDIA_TYPE: body, "application/json": body}}


def document_responses(app) -> None:
    """Publish on app.openapi(), operation by operation, what is sent for them all by shared code:
    - Location on every 201 (idempotency.created(), the scrutiny record's PUT), but those of NO_LOCATION;
    - 413 wherever the request guard reads and caps a body: every POST, PUT, PATCH and DELETE, with a body declared or
      not (a DELETE sent a body over the cap is refused too), never a GET;
    - 415 wherever the operation declares a JSON body only, the one case the guard refuses another media type.
    An import or an upload caps and types its own body, and declares its own 413 and 415."""
    render = app.openapi

    def openapi() -> dict:
        schema = render()
        schema["components"].setdefault("headers", {})["Location"] = LOCATION_HEADER
        for path, path_item in schema["paths"].items():
            if not path.startswith(API_PREFIX):
                continue
            for method, operation in path_item.items():
                responses = operation.get("responses", {})
                if "201" in responses and (method, path) not in NO_LOCATION:
                    responses["201"].setdefault("headers", {})["Location"] = {"$ref": "#/components/headers/Location"}
                if method.upper() in BODY_METHODS:
                    responses.setdefault("413", _problem(413))
                types = (operation.get("requestBody") or {}).get("content", {})
                if types and all(is_json(t) for t in types):
                    responses.setdefault("415", _problem(415))
        return schema

    app.openapi = openapi


def render() -> str:
    from api.main import create_app

    # A throwaway app: rendering needs no database and no real secret.
    app = create_app(Settings(_env_file=None, database_url="sqlite:///:memory:"))
    return json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n"
