"""Everything a request handler may need, built once per process from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from wallboard.qm.client import QMClient
from wallboard.settings import Settings
from wallboard.store.audit import AuditLog
from wallboard.store.keys import Keys
from wallboard.store.messages import BoardMessages
from wallboard.store.snapshot import SnapshotStore
from wallboard.web.actions import ActionService, Policy
from wallboard.web.guard import Guard
from wallboard.web.hub import Hub
from wallboard.web.render import Renderer
from wallboard.web.sessions import SessionStore


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
    actions: ActionService
    audit: AuditLog
    messages: BoardMessages

    @classmethod
    def build(cls, settings: Settings, redis: Redis, renderer: Renderer) -> Services:
        keys = Keys(settings.redis_prefix)
        store = SnapshotStore(redis, keys, settings.stream_maxlen)
        messages = BoardMessages(redis, keys)
        hub = Hub(store, renderer, settings, messages)
        qm = QMClient.from_settings(settings)
        sessions = SessionStore(redis, keys, settings.session_ttl)
        guard = Guard(
            redis,
            keys,
            qm,
            sessions,
            settings.secret_key.get_secret_value(),
            auth_cache_s=settings.auth_cache,
            max_failures=settings.login_failures,
        )
        audit = AuditLog(redis, keys)
        policy = Policy(
            key_pause=settings.key_pause,
            key_unpause=settings.key_unpause,
            key_broadcast=settings.key_broadcast,
            only_supervised=settings.only_supervised,
            broadcast_max_length=settings.broadcast_max_length,
            message_ttl_s=settings.message_ttl,
            actions_per_minute=settings.actions_per_minute,
        )
        actions = ActionService(qm, redis, keys, store, audit, messages, policy)
        return cls(
            settings,
            redis,
            keys,
            store,
            hub,
            renderer,
            qm,
            sessions,
            guard,
            actions,
            audit,
            messages,
        )
