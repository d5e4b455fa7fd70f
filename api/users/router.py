import uuid

from fastapi import APIRouter, Query, Response, status

from api.auth.principal import Role
from api.concurrency import IfMatch, set_etag
from api.deps import Admin, PageDep, SessionDep
from api.errors import problems
from api.idempotency import IdempotencyDep
from api.users import service
from api.users.schemas import NO_NUL, UserCreate, UserPage, UserRead, UserUpdate

router = APIRouter(prefix="/users", tags=["users"])


@router.get("", response_model=UserPage, summary="List users")
async def list_users(
    session: SessionDep, caller: Admin, page: PageDep,
    role: Role | None = Query(None, description="Only users with this role"),
    is_active: bool | None = Query(None, description="Only active (true) or deactivated (false) users"),
    q: str | None = Query(None, min_length=1, max_length=200, pattern=NO_NUL, description="Search full name and email"),
) -> UserPage:
    """Users of your tenant, a page at a time; sortable by name, email, created_at."""
    filters = service.UserFilters(role=role, is_active=is_active, q=q)
    result = await service.list_users(session=session, caller=caller, filters=filters, page=page)
    return UserPage(items=[UserRead.model_validate(u) for u in result.items],
                    next_cursor=result.next_cursor, total=result.total)


@router.post("", response_model=UserRead, status_code=status.HTTP_201_CREATED, summary="Create a user",
             responses=problems(409))
async def create_user(data: UserCreate, session: SessionDep, caller: Admin, idempotency: IdempotencyDep) -> Response:
    """Create a user in your tenant; the email must be new to the deployment. Honours Idempotency-Key."""
    if replay := await idempotency.replay():
        return replay
    user = await service.create(session=session, caller=caller, data=data)
    response = await idempotency.created(UserRead.model_validate(user), location=f"/api/v1/users/{user.id}",
                                         version=user.version)
    await session.commit()
    return response


@router.get("/{user_id}", response_model=UserRead, summary="Get a user", responses=problems(404))
async def get_user(user_id: uuid.UUID, session: SessionDep, caller: Admin, response: Response) -> UserRead:
    """One user, with its ETag."""
    user = await service.get(session=session, caller=caller, user_id=user_id)
    set_etag(response, user.version)
    return UserRead.model_validate(user)


@router.patch("/{user_id}", response_model=UserRead, summary="Update a user", responses=problems(404, 409, 412))
async def update_user(user_id: uuid.UUID, data: UserUpdate, session: SessionDep, caller: Admin,
                      response: Response, if_match: IfMatch = None) -> UserRead:
    """Change name, role, password or is_active (users are deactivated, never deleted). Send If-Match."""
    user = await service.update(session=session, caller=caller, user_id=user_id, data=data, if_match=if_match)
    await session.commit()
    set_etag(response, user.version)
    return UserRead.model_validate(user)
