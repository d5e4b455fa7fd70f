"""The engagement report as CSV for spreadsheets: one figure per row (section, key, metric, value).

Cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return, after any
apostrophes) are prefixed with an apostrophe, as the exports' are (api.exports.formatting.neutralise), so a theme,
a category or a plan's title can never become a formula."""

import csv
import io

from api.exports.formatting import neutralise
from api.reports.schemas import EngagementReport

HEADER = ("section", "key", "metric", "value")


def safe(value: object) -> str:
    return neutralise("" if value is None else str(value))


def rows(report: EngagementReport) -> list[tuple]:
    out: list[tuple] = [("period", "", "from", report.period_from.isoformat()),
                        ("period", "", "to", report.period_to.isoformat()),
                        ("period", "", "plan_id", report.plan_id or "")]
    for section, shares in (("stakeholders", [report.stakeholders]), ("quadrant", report.quadrants),
                            ("category", report.categories)):
        for share in shares:
            out += [(section, share.key, metric, getattr(share, metric))
                    for metric in ("stakeholders", "engaged", "share")]
    for section, counts in (("activities", [report.activities]), ("method", report.by_method),
                            ("level", report.by_level), ("duty_limb", report.by_duty_limb)):
        for count in counts:
            out += [(section, count.key or "none", metric, getattr(count, metric))
                    for metric in ("total", "planned", "done", "cancelled")]
    out += [("reach", "", metric, value) for metric, value in report.reach.model_dump().items()]
    figures = report.feedback
    out += [("feedback", "", metric, getattr(figures, metric))
            for metric in ("received", "responded", "closed", "overdue", "median_days_to_respond")]
    out += [("feedback_status", c.key, "count", c.count) for c in figures.by_status]
    out += [("feedback_type", c.key, "count", c.count) for c in figures.by_type]
    return out


def table(figures: list[tuple]) -> str:
    """The figures under the header, as CSV with formula-like cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows([safe(cell) for cell in row] for row in figures)
    return buffer.getvalue()


def render(report: EngagementReport) -> str:
    return table(rows(report))
