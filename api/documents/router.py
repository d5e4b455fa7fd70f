import base64
import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request, Response, status

from api.concurrency import IfMatch, set_etag
from api.deps import Editor, PageDep, Reader, SessionDep
from api.documents import media, service
from api.documents.schemas import DocumentKind, DocumentPage, DocumentRead, DocumentUpdate, DocumentUpload
from api.documents.upload import (
    FORM_LIMITS,
    LimitedBodyRoute,
    UploadIdempotency,
    document_limit,
    receive_file,
    upload_idempotency,
)
from api.errors import problems
from api.plans import children

router = APIRouter(tags=["documents"], route_class=LimitedBodyRoute)
COLLECTION = "/plans/{plan_id}/documents"
ITEM = COLLECTION + "/{document_id}"
BINARY = {"schema": {"type": "string", "format": "binary"}}
CONTENT_RESPONSE = {200: {"description": "The file's bytes, as an attachment", "content": {
    **{media.served_type(m): BINARY for m in media.ALLOWED}}}}


@router.get(COLLECTION, response_model=DocumentPage, summary="List a plan's documents", responses=problems(404))
async def list_documents(
    plan_id: uuid.UUID, session: SessionDep, caller: Reader, page: PageDep,
    kind: DocumentKind | None = Query(None, description="Only documents of this kind"),
    consultation_id: uuid.UUID | None = Query(None, description="Only documents of this consultation"),
) -> DocumentPage:
    """The plan's documents (metadata and hashes, not content), a page at a time; sortable by created_at
    (default), title, updated_at."""
    filters = service.DocumentFilters(kind=kind, consultation_id=consultation_id)
    result = await service.list_documents(session=session, caller=caller, plan_id=plan_id, filters=filters,
                                          page=page)
    return DocumentPage(items=[DocumentRead.model_validate(d) for d in result.items], next_cursor=result.next_cursor,
                        total=result.total)


@router.post(COLLECTION, response_model=DocumentRead, status_code=status.HTTP_201_CREATED,
             summary="Upload a document", responses=problems(404, 409, 413, 415), form_limits=FORM_LIMITS)
async def create_document(
    plan_id: uuid.UUID, data: Annotated[DocumentUpload, Form(media_type="multipart/form-data")], request: Request,
    session: SessionDep,
    caller: Editor, idempotency: Annotated[UploadIdempotency, Depends(upload_idempotency)],
) -> Response:
    """Upload a file as multipart/form-data; the server computes its SHA-256, size and media type. 413 past
    INVOLVE_MAX_DOCUMENT_BYTES, 415 for a type not accepted or content that is not what it claims, 422 if empty,
    409 for an archived consultation. Honours Idempotency-Key."""
    await children.open_plan(session, caller, plan_id)
    received = await receive_file(data.file, limit=document_limit(request))
    fields = data.model_dump(exclude={"file"})
    idempotency.fingerprint = service.fingerprint(request.url.path, sha256=received.sha256,
                                                  filename=received.filename, media_type=received.media_type, **fields)
    if replay := await idempotency.replay():
        return replay
    await service.check_consultation(session, caller, plan_id, data.consultation_id)
    row = await service.create(session=session, caller=caller, plan_id=plan_id, fields=fields, file=received)
    response = await idempotency.created(DocumentRead.model_validate(row), location=service.location(plan_id, row.id),
                                         version=row.version)
    await session.commit()
    return response


@router.get(ITEM, response_model=DocumentRead, summary="Get a document's metadata", responses=problems(404))
async def get_document(plan_id: uuid.UUID, document_id: uuid.UUID, session: SessionDep, caller: Reader,
                       response: Response) -> DocumentRead:
    """One document's metadata and hash, with its ETag."""
    row = await service.get(session=session, caller=caller, plan_id=plan_id, document_id=document_id)
    set_etag(response, row.version)
    return DocumentRead.model_validate(row)


def _disposition(filename: str) -> str:
    """attachment, with an ASCII fallback name and the exact name in RFC 5987 form."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\%' else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get(ITEM + "/content", response_class=Response, summary="Download a document",
            responses={**CONTENT_RESPONSE, **problems(404)})
async def get_document_content(plan_id: uuid.UUID, document_id: uuid.UUID, session: SessionDep,
                               caller: Reader) -> Response:
    """The file's exact bytes, as an attachment, with their SHA-256 in Repr-Digest (and Digest)."""
    row, data = await service.content(session=session, caller=caller, plan_id=plan_id, document_id=document_id)
    b64 = base64.b64encode(bytes.fromhex(row.sha256)).decode()
    headers = {
        "Content-Disposition": _disposition(row.filename),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Repr-Digest": f"sha-256=:{b64}:",
        "Digest": f"sha-256={b64}",
        "Cache-Control": "no-store",  # as every /api/v1 answer: minutes and letters are not for a shared disk cache
    }
    return Response(data, media_type=media.served_type(row.media_type), headers=headers)


@router.patch(ITEM, response_model=DocumentRead, summary="Update a document's metadata",
              responses=problems(404, 409, 412))
async def update_document(plan_id: uuid.UUID, document_id: uuid.UUID, data: DocumentUpdate, session: SessionDep,
                          caller: Editor, response: Response, if_match: IfMatch = None) -> DocumentRead:
    """Change the title, kind, publication time or consultation (409 for a newly linked archived one); the content
    never changes. While the plan is on legal hold only the title can (409 for the others)."""
    row = await service.update(session=session, caller=caller, plan_id=plan_id, document_id=document_id,
                               data=data, if_match=if_match)
    read = DocumentRead.model_validate(row)
    await session.commit()
    set_etag(response, row.version)
    return read


@router.delete(ITEM, status_code=status.HTTP_204_NO_CONTENT, summary="Delete a document",
               responses=problems(404, 409, 412))
async def delete_document(plan_id: uuid.UUID, document_id: uuid.UUID, session: SessionDep, caller: Editor,
                          if_match: IfMatch = None) -> Response:
    """Delete a document and its bytes; 409 while an evidence item or scrutiny correspondence cites it."""
    await service.delete(session=session, caller=caller, plan_id=plan_id, document_id=document_id,
                         if_match=if_match)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
