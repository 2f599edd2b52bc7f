from __future__ import annotations

from redis.asyncio import Redis

from wallboard.qm.users import UserInfo
from wallboard.store.keys import Keys
from wallboard.web.sessions import SessionStore

SUE = UserInfo("sue", "Sue Smith", "SUPERVISORS", frozenset({"REALTIME"}), False)


async def test_login_makes_a_new_id_and_drops_the_old_one(redis: Redis, prefix: str) -> None:
    store = SessionStore(redis, Keys(prefix), ttl_s=600)
    first = await store.create(SUE)
    second = await store.create(SUE, replacing=first.sid)
    assert second.sid != first.sid and second.csrf != first.csrf
    assert await store.get(first.sid) is None
    got = await store.get(second.sid)
    assert got is not None and got.holds("REALTIME") and not got.holds("BRO_MSG")
    assert 0 < await redis.ttl(f"{prefix}session:{second.sid}") <= 600


async def test_no_password_is_kept_and_junk_ids_are_nobody(redis: Redis, prefix: str) -> None:
    store = SessionStore(redis, Keys(prefix), ttl_s=600)
    session = await store.create(SUE)
    raw = await redis.get(f"{prefix}session:{session.sid}")
    assert raw is not None and "password" not in raw
    assert await store.get(None) is None and await store.get("x" * 500) is None
    await store.delete(session.sid)
    assert await store.get(session.sid) is None


async def test_an_operator_ends_every_session_of_a_user(redis: Redis, prefix: str) -> None:
    store = SessionStore(redis, Keys(prefix), ttl_s=600)
    first, second = await store.create(SUE), await store.create(SUE)
    other = await store.create(UserInfo("bob", "Bob", "", frozenset(), False))
    assert await store.end_user(" SUE ") == 2, "the login is counted whatever its spelling"
    assert await store.get(first.sid) is None and await store.get(second.sid) is None
    assert await store.get(other.sid) is not None
    assert await store.end_user("sue") == 0


async def test_a_rechecked_session_keeps_its_lifetime(redis: Redis, prefix: str) -> None:
    store = SessionStore(redis, Keys(prefix), ttl_s=600)
    session = await store.create(SUE)
    await redis.expire(f"{prefix}session:{session.sid}", 100)
    await store.save(session.rechecked(frozenset({"BRO_MSG"}), "", 123.0))
    got = await store.get(session.sid)
    assert got is not None and got.keys == ["BRO_MSG"] and got.checked == 123.0
    assert got.full_name == "Sue Smith" and got.csrf == session.csrf
    assert 0 < await redis.ttl(f"{prefix}session:{session.sid}") <= 100
    await store.delete(session.sid)
    await store.save(session)
    assert await store.get(session.sid) is None, "an ended session is not brought back"
