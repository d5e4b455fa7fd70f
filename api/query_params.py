"""Refusing query parameters an operation does not take, where ignoring one would do harm: a misspelt export filter
(?catgory=carer) would export every record, a misspelt import option (?dryrun=true) would write for real, and so would
any other write asked for a dry run it does not offer (POST /stakeholders?dry_run=true)."""

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.security import APIKeyQuery
from pydantic import BaseModel

from api.errors import Unprocessable
from api.guards import BODY_METHODS


def _query_names(dependant: Dependant) -> frozenset[str]:
    """The query parameters an operation takes, its dependencies' included (a security scheme's key in the query
    too); a model of query parameters (the list filters' `Annotated[Model, Query()]`) is its fields."""
    # A key the security scheme reads from the query (a calendar feed's ?token=) is one of them too
    names = {dependant.call.model.name} if isinstance(dependant.call, APIKeyQuery) else set()
    for field in dependant.query_params:
        model = field.field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            names.update(info.alias or name for name, info in model.model_fields.items())
        else:
            names.add(field.alias)
    return frozenset(names).union(*(_query_names(d) for d in dependant.dependencies))


_KNOWN: dict[str, frozenset[str]] = {}  # by the route's unique_id (routes are not hashable)


def refuse_unknown(request: Request, operation: str) -> None:
    """A 422 naming each query parameter the request's operation ("this export") does not take, or that is given
    more than once."""
    route = request.scope["route"]
    known = _KNOWN.get(route.unique_id)
    if known is None:
        known = _KNOWN[route.unique_id] = _query_names(route.dependant)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise Unprocessable(f"Unknown query parameter: {', '.join(unknown)}; {operation} takes "
                            f"{', '.join(sorted(known)) or 'none'}",
                            errors=[{"loc": ["query", name], "msg": "Unknown query parameter",
                                     "type": "extra_forbidden"} for name in unknown])
    # Given twice, the last value would win unsaid: ?dry_run=true&dry_run=false writes for real, and
    # ?category=carer&category=patient exports patients only.
    repeated = sorted(name for name in set(request.query_params) if len(request.query_params.getlist(name)) > 1)
    if repeated:
        raise Unprocessable(f"Repeated query parameter: {', '.join(repeated)}; {operation} takes each once",
                            errors=[{"loc": ["query", name], "msg": "Repeated query parameter",
                                     "type": "repeated"} for name in repeated])


def refuse_unknown_on_write(request: Request) -> None:
    """refuse_unknown() for a write (POST, PUT, PATCH, DELETE; a read passes untouched), called by the role dependency
    every write declares (require()) once the role is admitted: a role that may not write gets its 403, not a 422, and
    the 422 comes before the handler writes anything. The one write without a role, the token grant (POST
    /auth/token), is exempt on purpose: RFC 6749 § 3.2 has a token endpoint ignore the parameters it does not know."""
    if request.method in BODY_METHODS:
        refuse_unknown(request, "this operation")


def refusing_unknown(operation: str, caller: Any) -> Callable[..., Awaitable[None]]:
    """A router's dependency refusing (refuse_unknown) what `operation` ("this export") does not take, solved once
    the caller's role has been checked by `caller` (the endpoints' own role dependency, solved once a request): a
    role that may not use it gets its 403, not a 422 about its query."""

    async def dependency(request: Request, _: caller) -> None:
        refuse_unknown(request, operation)

    return dependency
