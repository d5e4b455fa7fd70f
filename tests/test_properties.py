"""Hypothesis properties over the HTTP API: cursor pages add up to the whole set, an import is idempotent, an
export imported back changes nothing, and a NUL or a lone surrogate in any string of a create body is a 422.

Example counts are small on purpose (the suite runs twice in CI); raise INVOLVE_PROPERTY_EXAMPLES to dig."""

import csv
import io
import itertools
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from tests.imports.support import CSV, EXPORT_STAKEHOLDERS, STAKEHOLDERS, csv_text
from tests.specworld import build_request, deref, make_world, operations

EXAMPLES = int(os.environ.get("INVOLVE_PROPERTY_EXAMPLES", "15"))
# Function-scoped fixtures (client, tenant) are shared by a test's examples: each example uses fresh names.
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
_run = itertools.count(1)

SORTS = ["name", "-name", "created_at", "-created_at", "updated_at", "-updated_at", "id", "-id"]


async def _all_pages(client, headers, sort: str, limit: int) -> list[str]:
    ids, cursor = [], None
    for _ in range(200):
        query = {"limit": limit, "sort": sort, **({"cursor": cursor} if cursor else {})}
        r = await client.get("/api/v1/stakeholders", params=query, headers=headers)
        assert r.status_code == 200, r.text
        ids += [item["id"] for item in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if not cursor:
            return ids
    raise AssertionError("the cursor never ran out")


async def test_cursor_pages_concatenate_to_the_whole_set_without_duplicates(client, session, a):
    # Repeated names, so ties must be broken the same way on every page.
    for i in range(23):
        await factories.stakeholder(session, a.tenant, name=["Ann Jones", "Bob Smith", "Zoë Ó Súilleabháin"][i % 3])
    await session.commit()
    everyone = set(await _all_pages(client, a["viewer"], "id", 500))
    assert len(everyone) == 23

    @PROPERTY
    @given(sort=st.lists(st.sampled_from(SORTS), min_size=1, max_size=2, unique_by=lambda s: s.lstrip("-")),
           limit=st.integers(min_value=1, max_value=12))
    def pages_add_up(sort, limit):
        ids = client_run(_all_pages(client, a["viewer"], ",".join(sort), limit))
        assert len(ids) == len(set(ids)), f"duplicates with sort={sort} limit={limit}"
        assert set(ids) == everyone, f"missing rows with sort={sort} limit={limit}"

    await run_property(pages_add_up)


# Text a spreadsheet or a CSV parser could mangle: quotes, separators, formula characters, non-ASCII.
NAMES = st.one_of(
    st.sampled_from(['He said "no"', "O'Brien, Mary", "=HYPERLINK(\"x\")", "+44 clinic", "-5 degrees", "@home",
                     "Zoë Ó Súilleabháin", "Łukasz Żółć", "محمد", "李小龙", "Siân; Dafydd", "'quoted'"]),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40)
    .map(str.strip).filter(bool),
)
NOTES = st.one_of(
    st.sampled_from(["line one\nline two", "=1+1\n\"quoted\", with comma", "\tTabbed start", "ends with \"\""]),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00\r"), max_size=60),
)


def _rows(names: list[str], notes: list[str], run: int) -> list[dict]:
    return [{"external_id": f"prop-{run}-{i}", "name": name, "kind": "person", "notes": note or None,
             "tags": [f"run-{run}"]} for i, (name, note) in enumerate(zip(names, notes, strict=False))]


async def _import(client, headers, body: str):
    return await client.post(f"{STAKEHOLDERS}?match=external_id&on_conflict=update", content=body.encode(),
                             headers={**headers, **CSV})


async def _read_tagged(client, headers, run: int) -> list[dict]:
    r = await client.get("/api/v1/stakeholders", params={"tag": f"run-{run}", "limit": 500, "sort": "id"},
                         headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def test_importing_the_same_csv_twice_is_importing_it_once(client, a):
    @PROPERTY
    @given(names=st.lists(NAMES, min_size=1, max_size=5), notes=st.lists(NOTES, min_size=5, max_size=5))
    def twice_is_once(names, notes):
        run = next(_run)
        body = csv_text(_rows(names, notes, run), ["external_id", "name", "kind", "notes", "tags"])
        first = client_run(_import(client, a["lead"], body))
        assert first.status_code == 200, first.text
        once = client_run(_read_tagged(client, a["lead"], run))
        second = client_run(_import(client, a["lead"], body))
        assert second.status_code == 200, second.text
        assert second.json()["created"] == 0 and second.json()["updated"] == len(names)
        assert client_run(_read_tagged(client, a["lead"], run)) == once  # same rows, same versions

    await run_property(twice_is_once)


async def test_export_then_import_is_the_identity(client, a):
    @PROPERTY
    @given(names=st.lists(NAMES, min_size=1, max_size=5), notes=st.lists(NOTES, min_size=5, max_size=5))
    def round_trip(names, notes):
        run = next(_run)
        rows = _rows(names, notes, run)
        created = client_run(_import(client, a["lead"], csv_text(rows, ["external_id", "name", "kind", "notes",
                                                                         "tags"])))
        assert created.status_code == 200, created.text
        before = client_run(_read_tagged(client, a["lead"], run))
        exported = client_run(client.get(EXPORT_STAKEHOLDERS, params={"tag": f"run-{run}"}, headers=a["lead"]))
        assert exported.status_code == 200, exported.text
        cells = {r["external_id"]: r for r in csv.DictReader(io.StringIO(exported.text, newline=""))}
        assert set(cells) == {r["external_id"] for r in rows}
        again = client_run(_import(client, a["lead"], exported.text))
        assert again.status_code == 200, again.text
        after = client_run(_read_tagged(client, a["lead"], run))
        assert after == before  # nothing changed, not even a version
        assert [(s["name"], s["notes"]) for s in after] == [(r["name"], r["notes"]) for r in rows]

    await run_property(round_trip)


# NUL (PostgreSQL cannot store it) and a lone surrogate (not encodable as UTF-8) in any string of any create body.
# Verifying an evidence pack stores nothing: a NUL in the pack it is sent is an altered pack (200, valid: false).
STORES_NOTHING = {"evidence-packs-verify_evidence_pack"}
CREATES = [op for op in operations() if op.method == "post" and op.id not in STORES_NOTHING
           and "application/json" in op.spec.get("requestBody", {}).get("content", {})]


def _string_fields(schema: dict) -> dict[str, bool]:
    """Property name → True when it is a list of strings, for every string-typed property."""
    out = {}
    for name, prop in deref(schema).get("properties", {}).items():
        options = [deref(p) for p in prop.get("anyOf", [prop])]
        for option in options:
            if option.get("type") == "string" and option.get("format") not in ("uuid", "date", "date-time"):
                out[name] = False
            items = deref(option.get("items", {})) if option.get("type") == "array" else {}
            if items.get("type") == "string" and items.get("format") not in ("uuid", "date", "date-time"):
                out[name] = True
    return out


@pytest.fixture(scope="module")
async def world():
    async for w in make_world("props"):
        yield w


@pytest.mark.parametrize("op", CREATES, ids=lambda op: op.id)
async def test_nul_or_lone_surrogate_in_any_string_is_422_never_500(world, op):
    fields = _string_fields(op.spec["requestBody"]["content"]["application/json"]["schema"])
    if not fields:
        pytest.skip("no string fields")
    base = build_request(op, world.ids, world.generator())
    clean = await world.client.request(base.method, base.url, json=base.json, headers=world.headers["a"]["admin"])
    # Otherwise every bad body below would be refused for another reason, and the property would prove nothing.
    assert clean.status_code not in (400, 422), f"the body without a bad character is refused: {clean.text[:300]}"

    @PROPERTY
    @given(field=st.sampled_from(sorted(fields)), bad=st.sampled_from(["\x00", "\ud800", "\udfff"]),
           before=st.text(max_size=5), after=st.text(max_size=5))
    def refused(field, bad, before, after):
        value = before + bad + after  # st.text() draws no surrogates, so this one stays alone
        body = {**(base.json or {}), field: [value] if fields[field] else value}
        r = client_run(world.client.request(base.method, base.url, content=json.dumps(body),
                                            headers={**world.headers["a"]["admin"],
                                                     "Content-Type": "application/json"}))
        assert r.status_code in (400, 422), f"{field}={value!r}: {r.status_code} {r.text[:300]}"

    await run_property(refused)


# Hypothesis drives synchronous functions; the tests' client lives on the running event loop, so each example
# runs in a worker thread and hands its coroutines back to that loop.
_LOOP = None


def client_run(coro):
    import asyncio

    return asyncio.run_coroutine_threadsafe(coro, _LOOP).result()


async def run_property(prop) -> None:
    import asyncio

    global _LOOP
    _LOOP = asyncio.get_running_loop()
    await asyncio.to_thread(prop)
