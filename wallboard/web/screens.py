"""What people do with screens, over the registry: rename, assign a board, playlist or filtered
wallboard, reload, identify, forget, pair by code. Each checks its input first (an unknown
screen, code or board is a 4xx and changes nothing) and goes to the audit log.

What a screen shows is a small object, one of ``{"board": id}``, ``{"playlist": id}`` or
``{"url": "/wallboard?queues=300"}`` (a classic wallboard's filters; nothing but ``/wallboard``
and its query, so a screen can never be sent elsewhere), or ``{}`` for nothing: the TV then
shows its pairing code.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from wallboard.store.audit import AuditLog
from wallboard.store.boards import BoardStore, Missing
from wallboard.store.screens import ScreenStore
from wallboard.web.errors import Invalid, NotFound, RateLimited
from wallboard.web.guard import Caller
from wallboard.web.limits import Counters
from wallboard.web.views import BadView, View

MAX_NAME = 60
PAIRING_GUESSES = 10  # wrong codes per user per 15 minutes


def target_url(shows: dict[str, str]) -> str:
    """Where a screen showing ``shows`` goes; "" for nothing."""
    if shows.get("board"):
        return f"/boards/{shows['board']}"
    if shows.get("playlist"):
        return f"/playlists/{shows['playlist']}"
    return shows.get("url", "")


class ScreenService:
    def __init__(
        self, store: ScreenStore, boards: BoardStore, audit: AuditLog, counters: Counters
    ) -> None:
        self.store = store
        self.boards = boards
        self.audit = audit
        self.counters = counters

    async def screen(self, screen_id: Any) -> dict[str, Any]:
        if not isinstance(screen_id, str) or not screen_id or len(screen_id) > 40:
            raise Invalid("screen must be a screen's id")
        record = await self.store.get(screen_id)
        if record is None:
            raise NotFound(f"no screen {screen_id!r} (forgotten, or never seen)")
        return record

    async def shows(self, body: dict[str, Any]) -> dict[str, str]:
        """What to show, checked: the board or playlist exists, the filters are valid."""
        given = {k: v for k, v in body.items() if k in ("board", "playlist", "url") and v}
        if len(given) > 1:
            raise Invalid("give one of board, playlist or url")
        if not given:
            return {}
        kind, value = next(iter(given.items()))
        if not isinstance(value, str) or len(value) > 300:
            raise Invalid(f"{kind} must be text of at most 300 characters")
        try:
            if kind == "board":
                await self.boards.board(value)
            elif kind == "playlist":
                await self.boards.playlist(value)
        except Missing as exc:
            raise NotFound(str(exc)) from None
        if kind == "url":
            return {"url": wallboard_url(value)}
        return {kind: value}

    async def _record(
        self, caller: Caller, action: str, screen: dict[str, Any], **more: Any
    ) -> None:
        await self.audit.append(
            user=caller.user, action=f"screen-{action}", target=str(screen.get("name", "")),
            reason=" ".join(f"{k}={v}" for k, v in more.items()), result="ok",
            screen=screen["id"],
        )  # fmt: skip

    async def rename(self, caller: Caller, screen_id: Any, name: Any) -> dict[str, Any]:
        screen = await self.screen(screen_id)
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
            raise Invalid(f"name must be 1 to {MAX_NAME} characters")
        await self.store.update(screen["id"], name=name.strip())
        await self._record(caller, "rename", screen, to=name.strip())
        return {**screen, "name": name.strip()}

    async def assign(self, caller: Caller, screen_id: Any, body: dict[str, Any]) -> dict[str, Any]:
        screen = await self.screen(screen_id)
        shows = await self.shows(body)
        await self.store.update(screen["id"], shows=json.dumps(shows))
        await self.store.command(screen["id"], "assign")
        await self._record(caller, "assign", screen, shows=target_url(shows) or "nothing")
        return {**screen, "shows": shows}

    async def send(self, caller: Caller, screen_id: Any, kind: str) -> dict[str, Any]:
        """``reload`` or ``identify``."""
        screen = await self.screen(screen_id)
        seq = await self.store.command(screen["id"], kind)
        await self._record(caller, kind, screen)
        return {**screen, "command": kind, "command_seq": seq}

    async def forget(self, caller: Caller, screen_id: Any) -> dict[str, Any]:
        screen = await self.screen(screen_id)
        await self.store.forget(screen["id"])
        await self._record(caller, "forget", screen)
        return {"id": screen["id"], "forgotten": True}

    async def pair(self, caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
        """The screen showing ``code`` gets a name and what to show; the code is used up.
        Wrong codes are counted per user, so codes cannot be guessed by the thousand."""
        code = body.get("code")
        if not isinstance(code, str) or not code.strip() or len(code) > 20:
            raise Invalid("code is required: the six characters the TV shows")
        shows = await self.shows(body)
        name = body.get("name") or ""
        if not isinstance(name, str) or len(name.strip()) > MAX_NAME:
            raise Invalid(f"name must be at most {MAX_NAME} characters")
        counter = self.counters.key("pairing", caller.name)
        if await self.counters.reserve({counter: PAIRING_GUESSES}, 900) is not None:
            raise RateLimited("too many wrong pairing codes; wait a quarter of an hour")
        screen_id = await self.store.claim(code)
        if screen_id is None:
            raise NotFound("no TV shows this code: it is wrong, used already or expired (15 min)")
        await self.counters.release([counter])
        fields = {"shows": json.dumps(shows), "paired_at": str(time.time())}
        if name.strip():
            fields["name"] = name.strip()
        await self.store.update(screen_id, **fields)
        await self.store.command(screen_id, "assign")
        screen = await self.screen(screen_id)
        await self._record(caller, "pair", screen, shows=target_url(shows) or "nothing")
        return screen


def wallboard_url(value: str) -> str:
    """A classic wallboard's address with valid filters, rebuilt from its parts."""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path != "/wallboard":
        raise Invalid("url must be /wallboard with its filters, e.g. /wallboard?queues=300|301")
    query = dict(parse_qsl(parts.query))
    allowed = {"queues", "group", "location", "supervisor", "title"}
    unknown = sorted(set(query) - allowed)
    if unknown:
        raise Invalid(f"unknown filter(s) in url: {', '.join(unknown)}")
    try:
        View.from_query(query, "tv")
    except BadView as exc:
        raise Invalid(str(exc)) from None
    return "/wallboard" + (f"?{urlencode(query, safe='|')}" if query else "")
