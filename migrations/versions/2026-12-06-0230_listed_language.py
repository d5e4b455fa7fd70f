"""listed languages hold no ';': an activity's translation_languages items, which a CSV cell separates with ';'

Revision ID: 0018_listed_language
Revises: 0017_audit_head
Create Date: 2026-12-06 02:30:00.000000

The API now refuses a ';' inside one of an activity's translation languages (api.activities.schemas.ListedLanguage):
a CSV export imported back split "Chinese (Cantonese; Mandarin)" into two languages. Items stored before write it as a
comma, which says the same and travels through CSV; the row's version is left alone (nothing a reader relies on moved).
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018_listed_language'
down_revision: str | None = '0017_audit_head'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    connection = op.get_bind()
    activity = sa.table('activity', sa.column('id'), sa.column('translation_languages', sa.JSON))
    rows = connection.execute(sa.select(activity.c.id, activity.c.translation_languages).where(
        sa.cast(activity.c.translation_languages, sa.Text).like('%;%'))).all()
    for id_, languages in rows:
        if isinstance(languages, str):  # SQLite's JSON comes back as text through a lightweight table
            languages = json.loads(languages)
        fixed = list(dict.fromkeys(item.replace(';', ',') for item in languages))
        if fixed != languages:
            connection.execute(activity.update().where(activity.c.id == id_).values(translation_languages=fixed))


def downgrade() -> None:
    pass  # the commas stay: they say what the semicolons did
