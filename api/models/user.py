from datetime import datetime

from sqlalchemy import Boolean, ColumnElement, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, validates

from api.db import Base, UTCDateTime
from api.models.emails import email_key
from api.models.mixins import TenantOwned, Tracked


class User(TenantOwned, Tracked, Base):
    """A person who signs in. Never deleted: the audit trail names them."""

    __tablename__ = "user_account"

    email: Mapped[str] = mapped_column(String(320), nullable=False)
    # The email folded in Python, as every lookup folds what is typed (email_key): the unique index is on it. Folded
    # by the database instead, SQLite's lower() folds ASCII letters only, so "Élodie@" and "élodie@" were two users.
    email_key: Mapped[str] = mapped_column(String(320), nullable=False)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Counts password changes and deactivations; a token carries the count it was issued under, and one from before a
    # change is refused.
    password_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    # When the user was last deactivated: a single sign-on token carries no password version, so one issued (iat)
    # before this is refused, and reactivating brings it back no more than a local one (api.auth.principal).
    sessions_valid_after: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @validates("email")
    def _keyed(self, _: str, email: str) -> str:
        self.email_key = email_key(email)
        return email


# Emails are unique across the deployment, whatever their case: sign-in finds the tenant by email.
Index("uq_user_account_email_key", User.email_key, unique=True)
Index("ix_user_account_tenant_id", User.tenant_id, User.id)


def email_is(email: str) -> ColumnElement[bool]:
    """The account with this email as typed, whatever its case, spacing or Unicode form (email_key folds it)."""
    return User.email_key == email_key(email)
