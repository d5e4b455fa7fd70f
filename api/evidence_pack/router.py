import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.auth.principal import Principal, Role, require
from api.deps import Reader, SessionDep
from api.errors import BadRequest, problems
from api.evidence_pack import html, pdf, seal, service
from api.evidence_pack.schemas import EvidencePack, PackFormat, PackToVerify, Verification
from api.ratelimit import limit_exports

router = APIRouter(tags=["evidence-packs"])

# Who may seal a pack: it carries named attendees and feedback text, so only roles that see personal data and
# whose work is the record (DESIGN.md: auditors read evidence packs). Contributors and viewers read the duty report.
PACK_READERS = frozenset({Role.admin, Role.lead, Role.auditor})
PackReader = Annotated[Principal, Depends(require(PACK_READERS))]

PACK_RESPONSES = {200: {"description": "The sealed pack as canonical JSON; printable HTML with ?format=html (the "
                                       "sealed JSON embedded in <script type=\"application/json\" "
                                       "id=\"sealed-pack\">), PDF with ?format=pdf (the sealed JSON attached as "
                                       "evidence-pack-{plan_id}.json)",
                        "content": {"text/html": {"schema": {"type": "string"}},
                                    "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}


@router.get("/plans/{plan_id}/evidence-pack", response_model=EvidencePack, summary="Seal a plan's evidence pack",
            responses={**problems(404), **PACK_RESPONSES})
async def get_evidence_pack(plan_id: uuid.UUID, request: Request, session: SessionDep, caller: PackReader,
                            format: PackFormat = Query(PackFormat.json, description="json, html (printable) or "
                                                                                    "pdf")
                            ) -> Response:
    """The whole record of the plan, sealed: SHA-256 digest, audit-chain head, and an audit event for the sealing."""
    name = f"evidence-pack-{plan_id}"
    media_type, headers = {
        PackFormat.json: ("application/json", {"Content-Disposition": f'attachment; filename="{name}.json"'}),
        PackFormat.html: ("text/html; charset=utf-8", {"Content-Disposition": f'inline; filename="{name}.html"',
                                                       "Content-Security-Policy": html.CSP}),
        PackFormat.pdf: ("application/pdf", {"Content-Disposition": f'attachment; filename="{name}.pdf"'}),
    }[format]
    if getattr(request.state, "head", False):
        # A HEAD (answered by this GET, api.guards) must not seal, and so audit, a pack nobody receives: the GET's
        # checks and headers only. No Content-Length: only a sealed pack has one (RFC 9110 § 9.3.2 allows leaving it).
        await service.sealable_plan(session=session, caller=caller, plan_id=plan_id)
        response = Response(media_type=media_type, headers=headers)
        del response.headers["content-length"]
        return response
    body = await service.seal_pack(session=session, caller=caller, plan_id=plan_id)
    if format == PackFormat.pdf:
        # Drawing a large pack takes a while: off the event loop.
        # The sealed JSON goes with the printed forms (attached, embedded): their digest is verifiable only with it.
        return Response(await run_in_threadpool(pdf.render, seal.loads(body), body), media_type=media_type,
                        headers=headers)
    if format == PackFormat.html:
        return Response(html.render(seal.loads(body), body), media_type=media_type, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


# It recomputes the tenant's whole audit chain (GET /audit-events/verify's work): it counts against the exports' limit.
@router.post("/evidence-packs/verify", response_model=Verification, summary="Verify an evidence pack",
             dependencies=[Depends(limit_exports)], responses=problems(400, 429))
async def verify_evidence_pack(pack: PackToVerify, request: Request, session: SessionDep,
                               caller: Reader) -> Verification:
    """Recompute the pack's digest and check its audit head and sealing event against your tenant's audit trail."""
    try:
        return await service.verify(session=session, caller=caller, raw=await request.body())
    except seal.NotAPack as exc:
        raise BadRequest(f"The body is not an evidence pack: {exc}")
