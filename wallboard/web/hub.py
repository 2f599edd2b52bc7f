"""The web process's live copy of the floor, and what each of its screens is sent.

The hub holds the floor as the stream last gave it (``state``, ``version``) and turns each
change into the fragments each view needs, rendered once per view and written as the same bytes
to every client of that view. Its parts each do one job: ``StreamFollower`` reads Redis,
``Fanout`` keeps the clients, ``History`` serves resumes, ``RenderCache`` keeps full refreshes,
``Liveness`` judges freshness and keep-alives, ``Noticeboard`` holds the broadcast messages.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Mapping
from typing import Any

from redis.exceptions import RedisError
from sse_starlette import ServerSentEvent

from wallboard import i18n
from wallboard.model.board import Board
from wallboard.model.derive import Directory
from wallboard.model.diff import apply, diff, touched
from wallboard.model.state import EMPTY, Floor
from wallboard.settings import Settings
from wallboard.store.alerts import AlertStore
from wallboard.store.boards import BoardStore
from wallboard.store.directory import DirectoryStore
from wallboard.store.messages import BoardMessages
from wallboard.store.snapshot import Change, SnapshotStore
from wallboard.web.alertboard import AlertBoard
from wallboard.web.boardviews import BoardViews
from wallboard.web.cache import RenderCache
from wallboard.web.errors import Unavailable
from wallboard.web.fanout import Fanout, Subscriber
from wallboard.web.follower import StreamFollower
from wallboard.web.fragments import Fields, fields_of, structural
from wallboard.web.history import History
from wallboard.web.linkwatch import LinkWatch
from wallboard.web.liveness import Liveness
from wallboard.web.noticeboard import Noticeboard
from wallboard.web.render import Renderer, Shown
from wallboard.web.screenwatch import ScreenWatch
from wallboard.web.views import Known, UnknownBoard, View, known

DIRECTORY_EVERY_S = 30.0  # how often the names filters may use are read again


def encode(html: str, version: str | None = None, retry_ms: int | None = None) -> bytes:
    return ServerSentEvent(data=html, id=version or None, retry=retry_ms).encode()


class Hub:
    def __init__(
        self,
        store: SnapshotStore,
        renderer: Renderer,
        settings: Settings,
        messages: BoardMessages | None = None,
        directory: DirectoryStore | None = None,
        boards: BoardStore | None = None,
        alerts: AlertStore | None = None,
        links: LinkWatch | None = None,
        screens: ScreenWatch | None = None,
    ) -> None:
        self.renderer = renderer
        self.links = links  # the streams of display links, ended when their link is revoked
        self.screens = screens  # the streams of known screens, given the commands sent to them
        self.settings = settings
        self.follower = StreamFollower(store, self)
        self.fanout = Fanout(settings.client_queue_size, settings.max_views)
        self.history = History(settings.stream_maxlen)
        self.cache = RenderCache(settings.max_views)
        self.liveness = Liveness(settings.stale_after_s, settings.keepalive)
        self.noticeboard = Noticeboard(messages)
        self.alertboard = AlertBoard(alerts, settings.escalate_after)
        self._alerts_sent: dict[View, tuple[tuple[str, str, str, str], ...]] = {}
        self._pending: dict[View, list[str]] = {}  # this round's changes, not yet sent
        self.directory_store = directory
        self.directory = Directory()
        self._directory_read = 0.0
        self._known: tuple[str, Known] | None = None
        self._resync = False
        self.boardviews = BoardViews(boards, settings.alert_thresholds)
        self.version = ""
        self.state: Floor = EMPTY
        self._rng = random.Random()

    # -- what others read ------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        return self.follower.loaded

    @property
    def fresh(self) -> dict[str, Any]:
        return self.liveness.fresh

    @property
    def meta(self) -> dict[str, Any]:
        return self.liveness.meta

    @property
    def clients(self) -> int:
        return self.fanout.clients

    @property
    def events_sent(self) -> int:
        return self.fanout.events_sent

    @property
    def bytes_sent(self) -> int:
        return self.fanout.bytes_sent

    @property
    def dropped(self) -> int:
        return self.fanout.dropped

    @property
    def boards(self) -> dict[str, Board]:
        return self.boardviews.boards

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.noticeboard.messages

    def view(self, query: Mapping[str, str], kind: str | None = None) -> View:
        """The canonical view of a request's filters (or of its saved board, ``board=``);
        BadView when they name what is not there, UnknownBoard for a board that is not."""
        if query.get("board"):
            return self.board_view(query["board"], query.get("lang", ""))
        if self._known is None or self._known[0] != self.version:
            allowed = known(self.settings.queue_list, self.state, self.directory)
            self._known = (self.version, allowed)
        # The request's language (?lang=, else Accept-Language: set by the i18n middleware).
        return View.from_query(query, kind, self._known[1]).speaking(i18n.current())

    def board_view(self, ident: str, asked: str = "") -> View:
        """A saved board's view, in its own language unless ``?lang=`` asked for another."""
        view = self.boardviews.view(ident)
        return view.speaking(asked) if asked in i18n.LANGUAGES else view

    async def board_view_now(self, ident: str, asked: str = "") -> View:
        """``board_view``, reading the boards again first when this process has not seen the
        board yet: one saved a moment ago (here or on another replica) is shown, not answered
        "no such board" until the next round reads it."""
        try:
            return self.board_view(ident, asked)
        except UnknownBoard:
            await self._read_boards()
            return self.board_view(ident, asked)

    async def view_now(self, query: Mapping[str, str], kind: str | None = None) -> View:
        """``view``, with a board's view as ``board_view_now`` finds it."""
        if query.get("board"):
            return await self.board_view_now(query["board"], query.get("lang", ""))
        return self.view(query, kind)

    # -- clients ---------------------------------------------------------------------------

    def attach(self, view: View, since: str | None) -> tuple[Subscriber, bytes]:
        """Register a client and what it needs first; no await in between, so nothing is lost.
        TooManyViews when this process serves as many views as it may."""
        subscriber = self.fanout.add(view)
        return subscriber, self._initial(view, since)

    def detach(self, subscriber: Subscriber) -> None:
        self.fanout.remove(subscriber)
        if subscriber.view not in self.fanout.subscribers:
            self.boardviews.forget(subscriber.view)
            self._alerts_sent.pop(subscriber.view, None)

    def _initial(self, view: View, since: str | None) -> bytes:
        with i18n.speaking(view.lang):
            return self._first(view, since)

    def _first(self, view: View, since: str | None) -> bytes:
        retry = self._rng.randint(1000, 4000)
        freshness = self.renderer.freshness(self.fresh, time.time())
        resumable = since and self.loaded and not self.boardviews.own_thresholds(view)
        missed = self.history.missed(since) if since and resumable else None
        if since and self.loaded and since == self.version:
            html = freshness
        elif missed is not None:
            html = self.renderer.changes(self.floor_of(view), view, *missed) + freshness
        else:
            html = self._components(view) + freshness
        return encode(html, self.version, retry)

    def _components(self, view: View) -> str:
        """A full refresh's components, from the cache when this view's is current."""
        messages = self.noticeboard.for_view(view)
        alerts = self._alerts_of(view)
        key = (self.version, self.noticeboard.key(view), self.alertboard.key(view))
        selected = self.floor_of(view)
        return self.cache.get(
            view, key, lambda: self.renderer.components(selected, view, messages, alerts)
        )

    def page(self, template: str, view: View, title: str, **extra: Any) -> str:
        """A whole page of a view as of the current version, which its stream resumes from."""
        since = {"since": self.version} if self.version else {}
        i18n.use(view.lang)
        return self.renderer.page(
            template,
            state=self.floor_of(view),
            view=view,
            fresh=self.fresh,
            version=self.version,
            title=title,
            server_now=time.time(),
            stream_query={**view.query(), **since},
            messages=self.noticeboard.for_view(view),
            alerts=self._alerts_of(view),
            **extra,
        )

    def _send_alerts(self) -> None:
        """The alert strip to the views whose alerts changed (most views' did not)."""
        for view in self.fanout.views():
            key = self.alertboard.key(view)
            if self._alerts_sent.get(view) != key:
                self._alerts_sent[view] = key
                with i18n.speaking(view.lang):
                    html = self.renderer.alerts(self._alerts_of(view))
                self.fanout.send(view, encode(html))

    def _alerts_of(self, view: View) -> Shown:
        """The view's alerts as the strip and the escalation banner show them."""
        names = {q.queue: q.name for q in self.state.queues}
        return Shown(
            self.alertboard.for_view(view), self.alertboard.escalated_for(view), names, view
        )

    # -- boards with thresholds of their own -------------------------------------------------

    def floor_of(self, view: View) -> Floor:
        """What the view shows: its part of the floor, with its board's own alert levels."""
        qm_now = time.time() + float(self.meta.get("qm_clock_offset") or 0.0)
        return self.boardviews.floor_of(view, self.state, self.version, qm_now)

    def _changes(
        self, view: View, changed: dict[str, set[str]], reshaped: set[str], fields: Fields
    ) -> str:
        with i18n.speaking(view.lang):
            return self._changes_of(view, changed, reshaped, fields)

    def _changes_of(
        self, view: View, changed: dict[str, set[str]], reshaped: set[str], fields: Fields
    ) -> str:
        if self.boardviews.own_thresholds(view) is None:
            selected = view.select(self.state)
            return self.renderer.changes(selected, view, changed, reshaped, fields)
        before = self.boardviews.shown(view)
        floor = self.floor_of(view)
        delta = diff(before or EMPTY, floor)
        return self.renderer.changes(
            floor, view, touched(delta), structural(delta), fields_of(delta)
        )

    # -- what the follower tells ------------------------------------------------------------

    def reload(self, version: str, floor: Floor) -> None:
        self.version, self.state = version, floor
        self.history.restart(version)
        self.cache.clear()
        self.boardviews.clear()
        self._pending.clear()  # the full refresh that follows supersedes them
        self._resync = True  # sent once the meta is read again (refresh follows)

    def apply(self, change: Change) -> None:
        assert change.delta is not None
        self.state = apply(self.state, change.delta)
        self.version = change.version
        changed = touched(change.delta)
        reshaped = structural(change.delta)
        fields = fields_of(change.delta)
        self.history.add(change.version, changed, reshaped)
        if changed:
            for view in self.fanout.views():
                html = self._changes(view, changed, reshaped, fields)
                if html:
                    self._pending.setdefault(view, []).append(html)

    async def refresh(self) -> None:
        """What is read by polling: the meta, the messages, now and then the directory. The
        round's changes go first, with the freshness line when it is due."""
        visible = self.liveness.update(await self.follower.store.meta())
        if not self._resync:
            self._flush(beat=visible or self.liveness.beat_due())
        if await self.noticeboard.refresh():
            for view in self.fanout.views():
                with i18n.speaking(view.lang):
                    html = self.renderer.messages(self.noticeboard.for_view(view))
                self.fanout.send(view, encode(html))
        if await self.alertboard.refresh():
            self._send_alerts()
        await self._read_directory()
        await self._read_boards()
        if self.links is not None:
            await self.links.refresh()
        if self.screens is not None:
            await self.screens.refresh()
        if self._resync:
            self._resync = False
            self._send_full()

    async def _read_directory(self) -> None:
        due = time.monotonic() - self._directory_read >= DIRECTORY_EVERY_S
        if self.directory_store is None or not due:
            return
        self._directory_read = time.monotonic()
        self.directory = await self.directory_store.load() or self.directory
        self._known = None

    async def _read_boards(self) -> None:
        """A screen of a board that was redesigned reloads (its page is laid out anew); one
        whose board is gone says so instead of showing old data."""
        for view, fate in await self.boardviews.refresh(self.fanout.views()):
            with i18n.speaking(view.lang):
                removed = fate == "removed"
                html = self.renderer.board_removed(view) if removed else self.renderer.reload()
            self.fanout.send(view, encode(html))

    async def judge_now(self) -> None:
        """The data's freshness as Redis says it this instant (the hub reads it once per
        round otherwise): what an API answer states about the data must be current."""
        try:
            meta = await self.follower.store.meta()
        except RedisError as exc:
            raise Unavailable(f"the data store is unavailable: {exc}", "redis") from None
        if self.liveness.update(meta):
            self.beat()

    def lost_redis(self, message: str) -> None:
        if self.liveness.redis_down(message) or self.liveness.beat_due():
            self.beat()

    def _send_full(self) -> None:
        now = time.time()
        for view in self.fanout.views():
            selected = self.floor_of(view)
            messages = self.noticeboard.for_view(view)
            alerts = self._alerts_of(view)
            with i18n.speaking(view.lang):
                html = self.renderer.full(selected, view, self.fresh, now, messages, alerts)
            self.fanout.send(view, encode(html, self.version))

    def beat(self, force: bool = False) -> None:
        """The freshness line to every client (with any change not sent yet); also the
        keep-alive that the browser can see."""
        self._flush(beat=True, force=force)

    def _flush(self, beat: bool, force: bool = False) -> None:
        """The changes of this round, each view's as one message, with the freshness line when
        ``beat``: one message (and one frame on the screen) a poll, not one for each change and
        one more for the line."""
        pending, self._pending = self._pending, {}
        said = self._freshness() if beat else {}
        if beat and not (self.fanout.subscribers or force):
            return
        if not pending and len(said) == 1:
            self.fanout.send(None, encode(next(iter(said.values()))))
            return
        alone = {lang: encode(html) for lang, html in said.items()}
        for view in self.fanout.views():
            if view in pending:
                html = "".join(pending[view]) + said.get(view.lang, "")
                self.fanout.send(view, encode(html, self.version))
            elif view.lang in alone:
                self.fanout.send(view, alone[view.lang])

    def _freshness(self) -> dict[str, str]:
        """The freshness line in each language shown (rendered once per language, not once
        per view); also the moment of the beat."""
        now = self.liveness.beaten()
        said: dict[str, str] = {}
        for lang in {view.lang for view in self.fanout.views()} or {i18n.DEFAULT}:
            with i18n.speaking(lang):
                said[lang] = self.renderer.freshness(self.fresh, now)
        return said

    async def run(self, stop: asyncio.Event) -> None:
        await self.follower.run(stop)
