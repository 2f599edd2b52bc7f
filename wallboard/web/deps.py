"""What the routes receive through ``Depends``: the process's services, the session, and the
one answer to "who is calling, and may they do this" (``Needs``) or "may they watch this board"
(``Board``). Routes name what they need by the ``Annotated`` aliases below.

The order of the checks is that of the HTTP contract: the content type of a JSON action first
(``json_only``, declared before the caller), then the credentials, the CSRF token of a session,
the key; the route then reads and checks its input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, cast

from fastapi import Depends, Request
from fastapi.responses import Response

from wallboard.web.audience import Audience
from wallboard.web.errors import UnsupportedType, WebError
from wallboard.web.guard import MASTER_ONLY, Caller
from wallboard.web.services import Services
from wallboard.web.sessions import Session

ErrorPage = Callable[[Request, WebError, int], Response]


def _services(request: Request) -> Services:
    return cast(Services, request.app.state.services)


ServicesDep = Annotated[Services, Depends(_services)]


async def _session(request: Request, services: ServicesDep) -> Session | None:
    return await services.guard.session(request)


SessionDep = Annotated[Session | None, Depends(_session)]


def json_only(request: Request) -> None:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise UnsupportedType("send Content-Type: application/json")


class Needs:
    """The caller, authenticated and holding the key of ``action``: ``view``, ``pause``,
    ``unpause``, ``broadcast``, ``login``, ``logout``, ``members``, ``hangup``, ``transfer``,
    ``monitor``, ``text`` (the ``WALLBOARD_KEY_*`` settings) or ``master`` (the master key).
    ``csrf``: a session must send its token; ``basic``: HTTP Basic is accepted (the JSON API,
    not the pages' forms)."""

    def __init__(self, action: str, *, csrf: bool = True, basic: bool = True) -> None:
        self.action = action
        self.csrf = csrf
        self.basic = basic

    async def __call__(self, request: Request, services: ServicesDep) -> Caller:
        key = (
            MASTER_ONLY
            if self.action == "master"
            else getattr(services.settings, f"key_{self.action}")
        )
        return await services.guard.caller(request, key=key, csrf=self.csrf, basic=self.basic)


# The JSON API: HTTP Basic, or a session with its token in X-CSRF-Token.
ApiPauser = Annotated[Caller, Depends(Needs("pause"))]
ApiUnpauser = Annotated[Caller, Depends(Needs("unpause"))]
ApiBroadcaster = Annotated[Caller, Depends(Needs("broadcast"))]
ApiLogin = Annotated[Caller, Depends(Needs("login"))]
ApiLogout = Annotated[Caller, Depends(Needs("logout"))]
ApiMembers = Annotated[Caller, Depends(Needs("members"))]
ApiHangup = Annotated[Caller, Depends(Needs("hangup"))]
ApiTransfer = Annotated[Caller, Depends(Needs("transfer"))]
ApiMonitor = Annotated[Caller, Depends(Needs("monitor"))]
ApiText = Annotated[Caller, Depends(Needs("text"))]
ApiViewer = Annotated[Caller, Depends(Needs("view", csrf=False))]
ApiOperator = Annotated[Caller, Depends(Needs("master"))]
# The pages' buttons and fragments: a session only (with its token, for what changes things).
PagePauser = Annotated[Caller, Depends(Needs("pause", basic=False))]
PageUnpauser = Annotated[Caller, Depends(Needs("unpause", basic=False))]
PageBroadcaster = Annotated[Caller, Depends(Needs("broadcast", basic=False))]
PagePauseForm = Annotated[Caller, Depends(Needs("pause", csrf=False, basic=False))]
PageLogin = Annotated[Caller, Depends(Needs("login", basic=False))]
PageLogout = Annotated[Caller, Depends(Needs("logout", basic=False))]
PageMembers = Annotated[Caller, Depends(Needs("members", basic=False))]
PageHangup = Annotated[Caller, Depends(Needs("hangup", basic=False))]
PageTransfer = Annotated[Caller, Depends(Needs("transfer", basic=False))]
PageMonitor = Annotated[Caller, Depends(Needs("monitor", basic=False))]
PageText = Annotated[Caller, Depends(Needs("text", basic=False))]
PageViewer = Annotated[Caller, Depends(Needs("view", csrf=False, basic=False))]


class Board:
    """The view a board request asks for (``kind`` forced, or from ``?view=``) and who watches
    it (``audience.BoardGate``, the one place for the TV token rule)."""

    def __init__(self, kind: str | None) -> None:
        self.kind = kind

    async def __call__(self, request: Request, services: ServicesDep) -> Audience:
        view = await services.hub.view_now(request.query_params, self.kind)
        return await services.boards.admit(request, view)


TvBoard = Annotated[Audience, Depends(Board("tv"))]
AnyBoard = Annotated[Audience, Depends(Board(None))]


def answer_errors_with(request: Request, page: ErrorPage) -> None:
    """Have the edge answer this request's errors with ``page``, an HTML page or fragment,
    instead of the JSON error body (the edge still picks the status)."""
    request.state.error_page = page


def answers_with(page: ErrorPage) -> Callable[[Request], None]:
    """``answer_errors_with`` as a route dependency, declared first so that it covers the
    other dependencies' errors too."""

    def use(request: Request) -> None:
        answer_errors_with(request, page)

    return use
