"""The saved boards and playlists as a service: checked whole before anything is stored,
versioned with optimistic locking, every change on the audit log. The API routes and the
editor's pages both go through it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import replace as changed
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import msgspec
from msgspec.structs import replace

from wallboard.i18n import N_
from wallboard.model import board as boards
from wallboard.model.board import Board, Invalid, Playlist, Rules
from wallboard.store.audit import AuditLog
from wallboard.store.boards import BoardStore, Exists, Full, Kind, Missing, Stale
from wallboard.store.links import LinkStore
from wallboard.web import errors

log = logging.getLogger("wallboard.web")
T = TypeVar("T")


class InvalidBoard(errors.Invalid):
    """A board or playlist that cannot be stored, with every problem, field by field."""

    def __init__(self, problems: list[boards.Problem]) -> None:
        first = problems[0]
        super().__init__("; ".join(f"{p.field}: {p.reason}" for p in problems))
        self.field = first.field
        self.problems = problems


def _invalid(field: str, message: str, **values: object) -> InvalidBoard:
    """One problem, said by a catalogue message (``N_``) and its placeholders."""
    return InvalidBoard([boards.problem(field, message, **values)])


def _item(kind: str, index: int, check: Callable[[], T]) -> T:
    """One item of an import, its problems named by where it stands: ``boards[2].title``."""
    try:
        return check()
    except Invalid as exc:
        problems = [changed(p, field=f"{kind}[{index}].{p.field}") for p in exc.problems]
        raise InvalidBoard(problems) from None


def _version(raw: Any) -> int:
    version = raw.get("version") if isinstance(raw, dict) else None
    if isinstance(version, bool) or not isinstance(version, int):
        raise _invalid("version", N_("send the version you read (optimistic locking)"))
    return version


class BoardLibrary:
    def __init__(
        self, store: BoardStore, audit: AuditLog, rules: Rules, links: LinkStore | None = None
    ) -> None:
        self.store = store
        self.audit = audit
        self.rules = rules
        self.links = links

    # -- reading ---------------------------------------------------------------------------

    async def boards(self) -> list[Board]:
        return await self.store.boards()

    async def playlists(self) -> list[Playlist]:
        return await self.store.playlists()

    async def board(self, ident: str) -> Board:
        try:
            return await self.store.board(ident)
        except Missing as exc:
            raise errors.NotFound(str(exc)) from None

    async def playlist(self, ident: str) -> Playlist:
        try:
            return await self.store.playlist(ident)
        except Missing as exc:
            raise errors.NotFound(str(exc)) from None

    # -- writing ---------------------------------------------------------------------------

    def _check_board(self, raw: Any) -> Board:
        try:
            return boards.board(raw, self.rules)
        except Invalid as exc:
            raise InvalidBoard(exc.problems) from None

    async def _check_playlist(self, raw: Any) -> Playlist:
        known = [b.id for b in await self.store.boards()]
        try:
            return boards.playlist(raw, known)
        except Invalid as exc:
            raise InvalidBoard(exc.problems) from None

    async def _write(self, kind: Kind, item: Any, expected: int | None, user: str) -> Any:
        stored = replace(item, version=(expected or 0) + 1, updated_by=user, updated_at=time.time())
        try:
            await self.store.write(kind, stored, expected, self.rules.max_boards)
        except Exists:
            raise _invalid("id", N_("%(id)s is taken"), id=repr(item.id)) from None
        except Full:
            most = self.rules.max_boards
            message = N_("at most %(most)s boards may be stored")
            if kind == "playlists":
                message = N_("at most %(most)s playlists may be stored")
            raise _invalid("id", message, most=most) from None
        except Missing as exc:
            raise errors.NotFound(str(exc)) from None
        except Stale:
            message = f"{item.id!r} was saved by someone else meanwhile: reload it and try again"
            raise errors.Conflict(message) from None
        action = f"{kind[:-1]}.{'create' if expected is None else 'update'}"
        await self.audit.append(user=user, action=action, target=item.id, result="ok",
                                version=stored.version)  # fmt: skip
        return stored

    async def create_board(self, raw: Any, user: str) -> Board:
        board: Board = await self._write("boards", self._check_board(raw), None, user)
        return board

    async def update_board(self, ident: str, raw: Any, user: str) -> Board:
        version = _version(raw)
        checked = self._check_board({**raw, "id": ident} if isinstance(raw, dict) else raw)
        board: Board = await self._write("boards", checked, version, user)
        return board

    async def create_playlist(self, raw: Any, user: str) -> Playlist:
        playlist: Playlist = await self._write(
            "playlists", await self._check_playlist(raw), None, user
        )
        return playlist

    async def update_playlist(self, ident: str, raw: Any, user: str) -> Playlist:
        version = _version(raw)
        body = {**raw, "id": ident} if isinstance(raw, dict) else raw
        playlist: Playlist = await self._write(
            "playlists", await self._check_playlist(body), version, user
        )
        return playlist

    async def delete(self, kind: Kind, ident: str, user: str) -> dict[str, Any]:
        if kind == "boards":
            users = [p.id for p in await self.store.playlists() if ident in p.boards]
            if users:
                raise errors.Conflict(f"board {ident!r} is in playlist(s) {', '.join(users)}")
        try:
            deleted = await self.store.delete(kind, ident)
        except Missing as exc:
            raise errors.NotFound(str(exc)) from None
        if kind == "boards" and self.links is not None:
            await self.links.revoke_all(ident)  # its screens go blank, its links die with it
        await self.audit.append(user=user, action=f"{kind[:-1]}.delete", target=ident,
                                result="ok")  # fmt: skip
        return deleted

    # -- the whole library -----------------------------------------------------------------

    async def export(self) -> dict[str, Any]:
        return {
            "boards": msgspec.to_builtins(await self.store.boards()),
            "playlists": msgspec.to_builtins(await self.store.playlists()),
        }

    def _check_document(self, doc: Any) -> tuple[list[Board], list[Playlist]]:
        """Every board and playlist of an export, checked before anything is written."""
        if not isinstance(doc, dict) or not isinstance(doc.get("boards", []), list):
            raise _invalid("boards", N_('send {"boards": [...], "playlists": [...]}'))
        if not isinstance(doc.get("playlists", []), list):
            raise _invalid("playlists", N_("must be a list"))
        checked = [_item("boards", i, partial(boards.board, raw, self.rules))
                   for i, raw in enumerate(doc.get("boards", []))]  # fmt: skip
        ids = [b.id for b in checked]
        if len(set(ids)) != len(ids):
            raise _invalid("boards", N_("two boards have the same id"))
        if len(ids) > self.rules.max_boards:
            most = self.rules.max_boards
            raise _invalid("boards", N_("at most %(most)s boards may be stored"), most=most)
        lists = [_item("playlists", i, partial(boards.playlist, raw, ids))
                 for i, raw in enumerate(doc.get("playlists", []))]  # fmt: skip
        return checked, lists

    async def import_all(self, doc: Any, user: str) -> dict[str, int]:
        """All of it or nothing: checked whole first, then everything replaced at once."""
        checked, lists = self._check_document(doc)
        now = time.time()
        stamped = [replace(b, version=1, updated_by=user, updated_at=now) for b in checked]
        listed = [replace(p, version=1, updated_by=user, updated_at=now) for p in lists]
        await self.store.replace_all(stamped, listed)
        await self.audit.append(user=user, action="boards.import", target="all", result="ok",
                                boards=len(stamped), playlists=len(listed))  # fmt: skip
        return {"boards": len(stamped), "playlists": len(listed)}

    async def seed(self, path: str) -> None:
        """``WALLBOARD_BOARDS_FILE`` into an empty library (GitOps); a bad file stops start."""
        if not path or not await self.store.empty():
            return
        try:
            doc = json.loads(Path(path).read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"WALLBOARD_BOARDS_FILE {path}: {exc}") from None
        try:
            counts = await self.import_all(doc, "boards-file")
        except InvalidBoard as exc:
            raise ValueError(f"WALLBOARD_BOARDS_FILE {path}: {exc.message}") from None
        log.info("boards loaded from %s: %s", path, counts)
