"""A plan's sub-items (objectives, key messages, budget lines, evaluation measures): JSON lists, each item with an id.

What is approved of an objective or a key message is its SUBSTANCE, matched by id: once approved (or on legal hold)
which items there are, in what order, and what each says are locked, while the progress recorded against them (an
objective's status, a message's approval_status) may still change (api.plans.workflow.check_locked)."""

from typing import Any

from api.db import new_id

LISTS = ("objectives", "key_messages", "budget_lines", "evaluation_measures")
SUBSTANCE: dict[str, tuple[str, ...]] = {
    "objectives": ("statement", "measure", "target", "due_date"),
    "key_messages": ("text",),
}


def _substance(name: str, item: dict[str, Any]) -> tuple:
    return tuple(item.get(field) for field in SUBSTANCE[name])


def stored(name: str, items: list, current: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items as stored: JSON values, each with an id. An item sent without one is new and gets a new id, except
    an objective or key message saying the same as the stored one (`current`) in the same place, which takes that
    one's id: a client resending what it read with the ids left out changes nothing."""
    given = {str(item.id) for item in items if item.id is not None}
    out = []
    for index, item in enumerate(items):
        value = item.model_dump(mode="json")
        if value["id"] is None:
            value["id"] = _same_place(name, value, current, index, given) or str(new_id())
        out.append(value)
    return out


def _same_place(name: str, value: dict[str, Any], current: list[dict[str, Any]], index: int,
                given: set[str]) -> str | None:
    if name not in SUBSTANCE or index >= len(current):
        return None
    there = current[index]
    if str(there.get("id")) in given or _substance(name, there) != _substance(name, value):
        return None  # its id is sent with another item, or it says something else: this one is new
    return str(there.get("id"))


def substance_changed(name: str, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> bool:
    """An item added, removed or moved, or what one says changed; its progress alone is no change."""
    return ([(str(i.get("id")), _substance(name, i)) for i in before]
            != [(str(i.get("id")), _substance(name, i)) for i in after])
