"""Everything a request handler may need, built once per process from the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from redis.asyncio import Redis

from wallboard.model.board import Rules
from wallboard.qm.client import QMClient
from wallboard.settings import Settings
from wallboard.store.alerts import AlertStore
from wallboard.store.audit import AuditLog
from wallboard.store.boards import BoardStore
from wallboard.store.directory import DirectoryStore
from wallboard.store.keys import Keys
from wallboard.store.links import LinkStore
from wallboard.store.messages import BoardMessages
from wallboard.store.screens import ScreenStore
from wallboard.store.snapshot import SnapshotStore
from wallboard.web.actions import ActionService, Policy
from wallboard.web.agent_actions import AgentActions
from wallboard.web.alerting import AlertService
from wallboard.web.audience import BoardGate
from wallboard.web.call_actions import CallActions
from wallboard.web.guard import Guard
from wallboard.web.heap import Heap
from wallboard.web.hub import Hub, encode
from wallboard.web.library import BoardLibrary
from wallboard.web.limits import Counters, LoginLimiter, LoginPolicy, StreamSlots
from wallboard.web.links import DisplayLinks
from wallboard.web.linkwatch import LinkWatch
from wallboard.web.render import Renderer
from wallboard.web.screens import ScreenService
from wallboard.web.screenwatch import ScreenWatch
from wallboard.web.sessions import SessionStore
from wallboard.web.stream import Watchdog


@dataclass
class Services:
    settings: Settings
    redis: Redis
    keys: Keys
    store: SnapshotStore
    hub: Hub
    renderer: Renderer
    qm: QMClient
    sessions: SessionStore
    guard: Guard
    boards: BoardGate
    streams: StreamSlots
    watchdog: Watchdog
    heap: Heap
    actions: ActionService
    agent_actions: AgentActions
    call_actions: CallActions
    audit: AuditLog
    messages: BoardMessages
    library: BoardLibrary
    alerting: AlertService
    links: DisplayLinks
    screens: ScreenService

    @property
    def secret(self) -> str:
        """The key that signs what the web hands out (screen ids, among others)."""
        return self.settings.secret_key.get_secret_value()

    @classmethod
    def build(cls, settings: Settings, redis: Redis, renderer: Renderer) -> Services:
        keys = Keys(settings.redis_prefix)
        store = SnapshotStore(redis, keys, settings.stream_maxlen)
        messages = BoardMessages(redis, keys)
        board_store = BoardStore(redis, keys)
        alert_store = AlertStore(redis, keys)
        link_store = LinkStore(redis, keys, settings.secret_key.get_secret_value())
        screen_store = ScreenStore(redis, keys)
        revoked = renderer.env.get_template("partials/link_revoked.html")
        hub = Hub(
            store,
            renderer,
            settings,
            messages,
            directory=DirectoryStore(redis, keys),
            boards=board_store,
            alerts=alert_store,
            links=LinkWatch(link_store, lambda: encode(revoked.render(oob=True))),
            screens=ScreenWatch(screen_store, screen_command(renderer)),
        )
        qm = QMClient.from_settings(settings)
        sessions = SessionStore(redis, keys, settings.session_ttl)
        counters = Counters(redis, keys)
        guard = _guard(settings, redis, keys, qm, sessions, counters)
        audit = AuditLog(redis, keys)
        policy = Policy(
            only_supervised=settings.only_supervised,
            broadcast_max_length=settings.broadcast_max_length,
            message_ttl_s=settings.message_ttl,
            actions_per_minute=settings.actions_per_minute,
        )
        actions = ActionService(qm, redis, keys, lambda: hub.state, audit, messages, policy)
        library = _library(settings, board_store, audit, link_store)
        return cls(
            settings=settings,
            redis=redis,
            keys=keys,
            store=store,
            hub=hub,
            renderer=renderer,
            qm=qm,
            sessions=sessions,
            guard=guard,
            boards=BoardGate(settings, guard, counters, link_store),
            streams=StreamSlots(settings.sse_per_address),
            watchdog=Watchdog(settings.send_timeout),
            heap=Heap(settings.gc_freeze, settings.gc_sweep),
            actions=actions,
            agent_actions=AgentActions(actions),
            call_actions=CallActions(actions),
            audit=audit,
            messages=messages,
            library=library,
            alerting=AlertService(alert_store, audit),
            links=DisplayLinks(link_store, library, audit),
            screens=ScreenService(screen_store, board_store, audit, counters),
        )


def _library(
    settings: Settings, store: BoardStore, audit: AuditLog, links: LinkStore
) -> BoardLibrary:
    watched = frozenset(q for q in settings.queue_list if q != "*")
    rules = Rules(watched=watched, max_boards=settings.max_boards)
    return BoardLibrary(store, audit, rules, links)


def _guard(
    settings: Settings,
    redis: Redis,
    keys: Keys,
    qm: QMClient,
    sessions: SessionStore,
    counters: Counters,
) -> Guard:
    policy = LoginPolicy(
        per_pair=settings.login_failures,
        per_address=settings.login_failures_per_address,
        per_user=settings.login_failures_per_user,
        window_s=settings.login_window,
    )
    return Guard(
        redis,
        keys,
        qm,
        sessions,
        LoginLimiter(counters, policy),
        settings.secret_key.get_secret_value(),
        auth_cache_s=settings.auth_cache,
    )


def screen_command(renderer: Renderer) -> Callable[[str, int, dict[str, str]], bytes]:
    """The event that carries a command to a screen's page."""
    template = renderer.env.get_template("partials/screen_command.html")

    def event(kind: str, seq: int, screen: dict[str, str]) -> bytes:
        return encode(template.render(oob=True, kind=kind, seq=seq, screen=screen))

    return event
