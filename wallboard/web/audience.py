"""Who may watch a board, and how much of it they see: the one place for the TV rule.

- The supervisor view needs a login (session or HTTP Basic) holding the view key.
- A TV view is open while ``WALLBOARD_TV_TOKEN`` is unset. Once it is set, a TV view needs the
  board's link (``?token=``; only the right token sets the cookie that remembers it), that
  cookie, or a session holding the view key. Wrong tokens are counted per address.
- A board's display link (``store.links``, made by a holder of the boards key) opens that board
  only, its page, stream and snapshot: its token in ``?token=`` sets a cookie of that board
  (``wb_link_{id}``), which is checked again at every request, so a revoked link opens nothing.
- A session holding the view key sees everything (the supervisor's fields, callers whole);
  anybody else sees what a TV shows and nothing more.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response

from wallboard.settings import Settings
from wallboard.store.links import LinkStore
from wallboard.web.errors import NotLoggedIn, RateLimited
from wallboard.web.guard import Guard, client_ip, same_secret
from wallboard.web.limits import Counters
from wallboard.web.views import View

TV_COOKIE = "wb_tv"
TV_COOKIE_DAYS = 400
LINK_COOKIE = "wb_link_"  # + the board's id ([a-z0-9-], fit for a cookie's name)


@dataclass(frozen=True, slots=True)
class Audience:
    view: View
    full: bool  # a holder of the view key: every field, callers' numbers whole
    remember: bool = False  # the right token came with the link: keep it in the cookie
    link: str = ""  # the id of the board's display link that let it in: revoking it ends it


class BoardGate:
    def __init__(
        self, settings: Settings, guard: Guard, counters: Counters, links: LinkStore | None = None
    ) -> None:
        self.settings = settings
        self.links = links
        self.guard = guard
        self.counters = counters
        self.token = settings.tv_token.get_secret_value() if settings.tv_token else ""
        # The cookie holds a keyed digest of the token, so a stolen cookie jar does not reveal it.
        secret = settings.secret_key.get_secret_value().encode()
        self.mark = (
            hmac.new(secret, self.token.encode(), hashlib.sha256).hexdigest() if self.token else ""
        )

    async def admit(self, request: Request, view: View) -> Audience:
        """The request's audience for this view, or ``NotLoggedIn`` (``Forbidden`` for the
        supervisor view without the key, ``RateLimited`` after too many wrong tokens)."""
        key = self.settings.key_view
        if view.kind == "supervisor":
            await self.guard.caller(request, key=key, csrf=False)
            return Audience(view, full=True)
        session = await self.guard.session(request)
        full = session is not None and session.holds(key)
        if not full and request.headers.get("authorization", "").lower().startswith("basic "):
            # A script with its own QueueMetrics login: wrong credentials or a missing key are
            # answered as such, not served the anonymous view.
            await self.guard.caller(request, key=key, csrf=False)
            full = True
        if not self.token:
            return Audience(view, full)
        given = request.query_params.get("token", "")
        board = _linkable(request, view)
        link = await self._right_token(given, client_ip(request), board) if given else None
        if link is not None:
            return Audience(view, full, remember=True, link=link)
        if full or same_secret(request.cookies.get(TV_COOKIE, ""), self.mark):
            return Audience(view, full)
        if board and self.links and (cookie := request.cookies.get(LINK_COOKIE + board)):
            found = await self.links.admits(board, cookie)
            if found is None:
                raise NotLoggedIn("this board's display link was revoked", "link-revoked")
            return Audience(view, full, link=found.id)
        raise NotLoggedIn(
            "this board needs its link (?token=) or a login with the view key", "token-required"
        )

    async def _right_token(self, given: str, address: str, board: str) -> str | None:
        """Compare a token from a link: "" for the TV token, the link's id for a display link
        of ``board``, None for a wrong one. Each guess takes a place in the address's budget
        first, and only a wrong one keeps it."""
        counter = self.counters.key("tv-token", address)
        limits = {counter: self.settings.token_guesses}
        if await self.counters.reserve(limits, self.settings.login_window) is not None:
            raise RateLimited("too many wrong board tokens from this address; wait a while")
        right: str | None = "" if same_secret(given, self.token) else None
        if right is None and board and self.links:
            found = await self.links.admits(board, self.links.cookie_of(given))
            right = found.id if found else None
        if right is not None:
            await self.counters.release([counter])
        return right

    def remember(self, audience: Audience, request: Request, response: Response) -> None:
        if audience.remember:
            name, value = TV_COOKIE, self.mark
            if audience.link and self.links:
                given = request.query_params.get("token", "")
                name, value = LINK_COOKIE + audience.view.board, self.links.cookie_of(given)
            response.set_cookie(
                name,
                value,
                httponly=True,
                samesite="lax",
                secure=request.url.scheme == "https",
                max_age=TV_COOKIE_DAYS * 86400,
            )


def _linkable(request: Request, view: View) -> str:
    """The board a display link may open here: its own page, stream and snapshot, nothing else
    (not a playlist that begins with it)."""
    board = view.board
    paths = (f"/boards/{board}", "/events", "/api/snapshot")
    return board if board and view.kind == "tv" and request.url.path in paths else ""
