"""A screen id is signed: a changed cookie is not trusted, another key's is not either."""

from __future__ import annotations

from wallboard.web.screen_id import new_id, read, signed


def test_a_signed_id_reads_back() -> None:
    ident = new_id()
    assert len(ident) == 16
    assert read(signed(ident, "k"), "k") == ident


def test_a_changed_or_foreign_cookie_is_not_trusted() -> None:
    ident = new_id()
    cookie = signed(ident, "k")
    other = new_id()
    assert read(f"{other}.{cookie.split('.')[1]}", "k") is None, "another id, the same signature"
    assert read(cookie[:-1] + ("0" if cookie[-1] != "0" else "1"), "k") is None
    assert read(cookie, "another key") is None
    for junk in (None, "", ".", "x" * 200, f"{ident}", f"{ident[:-1]}!.{cookie.split('.')[1]}"):
        assert read(junk, "k") is None
