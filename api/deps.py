"""Annotated aliases that handlers declare; nothing else lives here."""

from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import ADMINS, ALL_ROLES, AUDIT_READERS, EDITORS, LOGGERS, Principal, require
from api.db import get_session
from api.pagination import PageParams, page_params

SessionDep = Annotated[AsyncSession, Depends(get_session)]
Reader = Annotated[Principal, Depends(require(ALL_ROLES))]
Editor = Annotated[Principal, Depends(require(EDITORS))]
Logger = Annotated[Principal, Depends(require(LOGGERS))]
Admin = Annotated[Principal, Depends(require(ADMINS))]
AuditReader = Annotated[Principal, Depends(require(AUDIT_READERS))]
PageDep = Annotated[PageParams, Depends(page_params)]
