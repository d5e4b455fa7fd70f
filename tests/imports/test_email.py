"""The import's fast email check gives exactly pydantic's EmailStr answer: the same address, or an error."""

import pytest
from pydantic import EmailStr, TypeAdapter, ValidationError

from api.imports.schemas import import_email

EMAIL = TypeAdapter(EmailStr)
ADDRESSES = ["Margaret.Okafor@Example.ORG", "a@b.co", "first.last+tag@sub.example.nhs.uk", "o'brien@example.com",
             "x@example.test", "x@localhost", "x@example.invalid", "a..b@example.org", ".a@example.org",
             "a.@example.org", "a@example.org.", "a@-example.org", "a@example..org", "Postmaster@Example.org",
             "ABUSE@example.org", "a@123.123.123.123", "a@[127.0.0.1]", "Name <a@example.org>", " a@example.org ",
             "é@example.org", "a@exämple.org", "a@xn--exmple-cua.org", "a" * 65 + "@example.org",
             "a@" + "b" * 64 + ".org", "a@" + ("b" * 60 + ".") * 5 + "org", "@example.org", "a@", "a", "",
             "a@b", "a@example.c", "a@example.123", "=cmd@example.org", "-x@example.org", "a b@example.org",
             "a@exa_mple.org", "a\x00@example.org", "a@example.org\n"]


@pytest.mark.parametrize("address", ADDRESSES)
def test_the_fast_path_agrees_with_emailstr(address):
    try:
        expected = EMAIL.validate_python(address)
    except ValidationError as exc:
        expected = ("error", exc.errors()[0]["msg"])
    try:
        got = import_email(address)
    except ValueError as exc:
        got = ("error", str(exc))
    if isinstance(expected, tuple):
        assert isinstance(got, tuple) and expected[1].endswith(got[1].split(": ", 1)[-1])
    else:
        assert got == expected
