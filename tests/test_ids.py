"""Ids are UUIDv7 and strictly increasing within a process, so ordering by id is ordering by creation
(exports and keyset pages rely on it) even for rows made in the same millisecond."""

from api.db import new_id


def test_ids_made_in_one_burst_are_strictly_increasing_version_7_uuids():
    ids = [new_id() for _ in range(20_000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert {i.version for i in ids} == {7} and {i.variant for i in ids} == {"specified in RFC 4122"}
