from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base
from api.models.mixins import TenantOwned, Tracked


class ServiceAccount(TenantOwned, Tracked, Base):
    """A machine client (client-credentials grant) carrying one role; its secret is kept hashed."""

    __tablename__ = "service_account"

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    client_id: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    secret_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Counts revocations; a token carries the count it was issued under, so one from before a revocation stays
    # refused after the account is reactivated.
    token_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
