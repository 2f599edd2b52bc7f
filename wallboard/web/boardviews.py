"""The saved boards as this process serves them: read from Redis whenever one was written (so
every replica follows at once), each board's view, and, for a board with thresholds of its own,
the alert levels its screens show (judged per view and held from what that view showed)."""

from __future__ import annotations

import asyncio
from typing import Literal

from wallboard.model.alerts import Thresholds, with_alerts
from wallboard.model.board import Board, board_thresholds
from wallboard.model.state import EMPTY, Floor
from wallboard.store.boards import BoardStore
from wallboard.web.views import UnknownBoard, View

Fate = Literal["removed", "redesigned"]


class BoardViews:
    def __init__(self, store: BoardStore | None, thresholds: Thresholds) -> None:
        self.store = store
        self.thresholds = thresholds
        self.boards: dict[str, Board] = {}
        self.revision = -1
        self._floors: dict[View, tuple[str, Floor]] = {}
        # A round and a request that found a board missing may read at once: the fates of the
        # open views are then told once, by whichever read first.
        self._reading = asyncio.Lock()

    def view(self, ident: str) -> View:
        board = self.boards.get(ident)
        if board is None:
            raise UnknownBoard(f"no board {ident!r}")
        return View.of_board(board)

    async def refresh(self, views: list[View]) -> list[tuple[View, Fate]]:
        """Read the boards again if one was written; what became of the open board views."""
        if self.store is None:
            return []
        async with self._reading:
            return await self._reread(views)

    async def _reread(self, views: list[View]) -> list[tuple[View, Fate]]:
        assert self.store is not None
        revision = await self.store.revision()
        if revision == self.revision:
            return []
        self.revision = revision
        self.boards = {b.id: b for b in await self.store.boards()}
        fates: list[tuple[View, Fate]] = []
        for view in views:
            board = self.boards.get(view.board) if view.board else None
            if view.board and board is None:
                fates.append((view, "removed"))
            elif board is not None and View.of_board(board) != view:
                fates.append((view, "redesigned"))
        return fates

    def own_thresholds(self, view: View) -> Board | None:
        board = self.boards.get(view.board) if view.board else None
        return board if board is not None and board.thresholds else None

    def shown(self, view: View) -> Floor | None:
        """What the view showed last, if it judges its own alerts."""
        found = self._floors.get(view)
        return found[1] if found is not None else None

    def floor_of(self, view: View, floor: Floor, version: str, qm_now: float) -> Floor:
        """What the view shows of ``floor`` (at ``version``): its part, with its board's own
        alert levels when it has thresholds of its own."""
        board = self.own_thresholds(view)
        if board is None:
            return view.select(floor)
        shown = self._floors.get(view)
        if shown is not None and shown[0] == version:
            return shown[1]
        previous = shown[1] if shown is not None else EMPTY
        thresholds = board_thresholds(self.thresholds, board)
        judged = with_alerts(view.select(floor), thresholds, previous, qm_now)
        self._floors[view] = (version, judged)
        return judged

    def forget(self, view: View) -> None:
        self._floors.pop(view, None)

    def clear(self) -> None:
        self._floors.clear()
