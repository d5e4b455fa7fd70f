"""Hand-rolled multipart bodies with odd names, types and bytes against a real plan (the spec-driven fuzzing in
tests/test_schemathesis.py only ever meets unknown plans): every answer is a 201 or a problem, never a 500."""

import hashlib
import random

from tests import factories
from tests.documents.support import PDF_BYTES, PNG_BYTES, count, url

NAMES = ["pack.pdf", "", ".pdf", "a" * 400 + ".pdf", "ünïcödé ✓.pdf", "x.PDF", "x.pdf.exe", "..", "con", "a;b=c.txt",
         "名前.csv", "\x7f.png", "%00.pdf", "x.jpeg", "x."]
TYPES = ["application/pdf", "APPLICATION/PDF; charset=x", "", "text/plain; charset=latin-1", "image/png",
         "text/csv", "multipart/form-data", "application/octet-stream", "*/*", ";", "text/html", "image/svg+xml"]
STARTS = [b"", b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"PK\x03\x04", b"\xef\xbb\xbf", b"\x00"]
DATES = ["", "2026-01-01T00:00:00Z", "2026-01-01", "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00+00:00",
         "2026-01-01T00:00:00-23:59", "NaN", "1e10"]


def _body(rng: random.Random, boundary: str) -> bytes:
    name = rng.choice(NAMES) if rng.random() < 0.8 else "".join(chr(rng.randrange(32, 0x2FF)) for _ in range(9))
    media = rng.choice(TYPES)
    content = rng.choice(STARTS) + rng.randbytes(rng.randrange(0, 2000))
    def pick(good: list[str], bad: list[str]) -> str:  # mostly good, so the file itself gets looked at
        return rng.choice(good if rng.random() < 0.85 else bad)

    fields = {"kind": pick(["other", "correspondence", "consultation_pack"], ["memo", ""]),
              "title": pick(["Pack", "Ymgynghoriad â Llais"], ["", " ", "t" * 301, "a\x00b"]),
              "published_at": pick(DATES[:2], DATES[2:])}
    parts = []
    for key, value in fields.items():
        if rng.random() < 0.97:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    header = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
    if media:
        header += f"Content-Type: {media}\r\n"
    parts.append(header.encode() + b"\r\n" + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


async def test_odd_uploads_get_a_201_or_a_problem_never_a_500(client, session, a):
    plan = await factories.plan(session, a.tenant)
    rng = random.Random(20261125)
    created = 0
    for _ in range(150):
        headers = {**a["lead"], "Content-Type": "multipart/form-data; boundary=fz"}
        r = await client.post(url(plan.id), content=_body(rng, "fz"), headers=headers)
        assert r.status_code in (201, 400, 413, 415, 422), r.text
        if r.status_code == 201:
            created += 1
            assert len(r.json()["sha256"]) == 64
        else:
            assert r.headers["content-type"] == "application/problem+json"
    assert await count(session, a.tenant) == created


async def test_the_digest_is_of_the_exact_bytes_sent(client, session, a):
    plan = await factories.plan(session, a.tenant)
    rng = random.Random(7)
    for start, name, media in ((PDF_BYTES, "a.pdf", "application/pdf"), (PNG_BYTES, "b.png", "image/png")):
        content = start + rng.randbytes(5000) + b"\r\n--fz\r\n"  # a boundary-like line inside the file
        r = await client.post(url(plan.id), data={"kind": "other", "title": "T"},
                              files={"file": (name, content, media)}, headers=a["lead"])
        assert r.json()["sha256"] == hashlib.sha256(content).hexdigest()
        download = await client.get(f"{url(plan.id)}/{r.json()['id']}/content", headers=a["lead"])
        assert download.content == content
