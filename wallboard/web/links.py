"""Display links as a service: made for a board that exists, at most ``MAX_PER_BOARD`` of them,
listed without their tokens, revoked; every change on the audit log. The API routes and the
editor's buttons both go through it."""

from __future__ import annotations

import time
from typing import Any

from wallboard.store.audit import AuditLog
from wallboard.store.links import LinkStore, NoLink
from wallboard.web import errors
from wallboard.web.library import BoardLibrary

MAX_PER_BOARD = 50  # a screen each is plenty; bounded, so that nobody fills Redis with them


class DisplayLinks:
    def __init__(self, store: LinkStore, library: BoardLibrary, audit: AuditLog) -> None:
        self.store = store
        self.library = library
        self.audit = audit

    async def links(self, board: str) -> list[dict[str, Any]]:
        await self.library.board(board)  # NotFound for a board that does not exist
        return [link.public() for link in await self.store.links(board)]

    async def create(self, board: str, user: str, base_url: str) -> dict[str, Any]:
        """A new link; its address (with the token) is in this answer and nowhere else."""
        if len(await self.links(board)) >= MAX_PER_BOARD:
            raise errors.Conflict(f"board {board!r} has {MAX_PER_BOARD} links: revoke one first")
        link, token = await self.store.create(board, user, time.time())
        await self.audit.append(user=user, action="link.create", target=board, result="ok",
                                link=link.id)  # fmt: skip
        url = f"{base_url.rstrip('/')}/boards/{board}?token={token}"
        return {**link.public(), "url": url}

    async def revoke(self, board: str, ident: str, user: str) -> dict[str, Any]:
        try:
            link = await self.store.revoke(board, ident)
        except NoLink as exc:
            raise errors.NotFound(str(exc)) from None
        await self.audit.append(user=user, action="link.revoke", target=board, result="ok",
                                link=ident)  # fmt: skip
        return link.public()
