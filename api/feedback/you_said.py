""""You said, we did" for a plan: what people raised (themes with counts), the paraphrases the lead marked
publishable and the responses, for an intranet page. It carries no personal data: never the raw text,
a name, an email, a phone number, a stakeholder id or who wrote the response. As a last guard the
published strings are scrubbed of anything shaped like an email address, a phone number or a UK
postcode, and of the words of every person's name the plan's feedback links."""

import html
import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.activities.sql import json_elements
from api.auth.principal import Principal
from api.feedback.schemas import ThemeCount, YouSaidWeDid, YouSaidWeDidItem
from api.models import Feedback, Stakeholder
from api.plans import service as plans
from api.scrub import scrub


async def build(*, session: AsyncSession, caller: Principal, plan_id: uuid.UUID) -> YouSaidWeDid:
    """The plan's publishable summary: its totals counted by the database, its themes once scrubbed (_theme_counts)."""
    plan = await plans.get(session=session, caller=caller, plan_id=plan_id)
    scope = (Feedback.tenant_id == caller.tenant_id, Feedback.plan_id == plan.id, Feedback.archived_at.is_(None))
    received, responded = (await session.execute(
        select(func.count(), func.count(Feedback.responded_at)).where(*scope))).one()
    # Themes are free tags a contributor types, so they are scrubbed too, of every person's name the plan's feedback
    # links (tags that scrub alike are then one theme), as is each item: an item's words may name another than its own
    # person ("Mr Quintrell's complaint" on anonymous feedback), and the counts already take that name out.
    names = list((await session.execute(
        select(Stakeholder.name).distinct().join(Feedback, Feedback.stakeholder_id == Stakeholder.id)
        .where(*scope, Stakeholder.kind == "person", Stakeholder.erased_at.is_(None)))).scalars())
    counts = await _theme_counts(session, scope, names)
    rows = (await session.execute(
        select(Feedback.themes, Feedback.publishable_summary, Feedback.response_text, Feedback.outcome)
        .where(*scope, Feedback.publishable.is_(True), Feedback.publishable_summary.is_not(None),
               Feedback.response_text.is_not(None), Feedback.outcome.is_not(None))
        .order_by(Feedback.responded_at, Feedback.id))).all()
    items = [YouSaidWeDidItem(themes=[scrub(t, names) for t in r.themes], you_said=scrub(r.publishable_summary, names),
                              we_did=scrub(r.response_text, names), outcome=r.outcome) for r in rows]
    themes = [ThemeCount(theme=t, count=c) for t, c in sorted(counts.items(), key=lambda tc: (-tc[1], tc[0]))]
    return YouSaidWeDid(plan_id=plan.id, plan_title=plan.title, feedback_received=received,
                        feedback_responded=responded, themes=themes, items=items)


async def _theme_counts(session: AsyncSession, scope: tuple, names: list[str]) -> dict[str, int]:
    """How many pieces of the feedback in `scope` raise each theme as published (scrubbed): a piece tagged with two
    tags that scrub alike ("Ann parking", "Bob parking") raises their theme once. One read of (tag, piece) pairs, each
    distinct tag scrubbed once."""
    elements = json_elements(session, Feedback.themes)
    pairs = (await session.execute(select(elements.c.value, Feedback.id).select_from(Feedback)
                                   .join(elements, elements.c.value.is_not(None)).where(*scope))).all()
    themes = {tag: scrub(tag, names) for tag in {tag for tag, _ in pairs}}
    pieces: dict[str, set] = {}
    for tag, feedback_id in pairs:
        pieces.setdefault(themes[tag], set()).add(feedback_id)
    return {theme: len(ids) for theme, ids in pieces.items()}


def render_html(summary: YouSaidWeDid) -> str:
    """A plain, self-contained HTML page; every value escaped."""
    e = html.escape
    themes = "".join(f"<li>{e(t.theme)} ({t.count})</li>" for t in summary.themes) or "<li>None yet</li>"
    items = "".join(
        "<section>"
        + (f"<p class=\"themes\">{e(', '.join(item.themes))}</p>" if item.themes else "")
        + f"<p><strong>You said:</strong> {e(item.you_said)}</p>"
        + f"<p><strong>We did:</strong> {e(item.we_did)}</p>"
        + "</section>"
        for item in summary.items) or "<p>Nothing has been published yet.</p>"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>You said, we did: {e(summary.plan_title)}</title></head><body>"
        f"<h1>You said, we did</h1><h2>{e(summary.plan_title)}</h2>"
        f"<p>{summary.feedback_received} pieces of feedback received; {summary.feedback_responded} responded to.</p>"
        f"<h3>What you raised</h3><ul>{themes}</ul>"
        f"<h3>What you said and what we did</h3>{items}"
        "</body></html>\n"
    )


def wants_html(accept: str | None) -> bool:
    """True when the Accept header prefers text/html to JSON (JSON when absent or equal)."""
    if not accept:
        return False
    best = {"application/json": 0.0, "text/html": 0.0}
    for part in accept.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        for kind in best:
            if media in (kind, kind.split("/")[0] + "/*", "*/*"):
                # an exact media type beats a wildcard of the same weight
                best[kind] = max(best[kind], q + (0.001 if media == kind else 0.0))
    return best["text/html"] > best["application/json"]
