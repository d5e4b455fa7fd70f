import uuid
from datetime import datetime

from pydantic import Field

from api.pagination import Page
from api.schemas import ReadModel, RequestModel, Text


class CalendarTokenCreate(RequestModel):
    label: Text = Field(description="What the token is for, e.g. 'Staff intranet events page'")
    plan_id: uuid.UUID | None = Field(None, description="Limit the feed to this plan's activities; one of your "
                                                        "tenant's plans. Null: every activity of the tenant")


class CalendarTokenRead(ReadModel):
    id: uuid.UUID = Field(description="Identifier")
    label: str = Field(description="What the token is for")
    plan_id: uuid.UUID | None = Field(description="The plan the feed is limited to; null for the whole tenant")
    token_hint: str = Field(description="The token's first characters, to tell tokens apart (not a secret)")
    created_at: datetime = Field(description="When it was created")
    created_by: uuid.UUID | None = Field(description="Who created it")
    revoked_at: datetime | None = Field(description="When it was revoked; null while it works")
    revoked_by: uuid.UUID | None = Field(description="Who revoked it")


class CalendarTokenSecret(CalendarTokenRead):
    token: str | None = Field(description="The secret, shown only in this response and stored as a SHA-256 hash: "
                                          "keep it now. null when an Idempotency-Key replays the response")
    feed_path: str | None = Field(description="The feed's path with the token, to append to the API's base URL "
                                              "(null on a replay)")


class CalendarTokenPage(Page[CalendarTokenRead]):
    pass
