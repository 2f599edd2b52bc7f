"""The supervisor page's panels and buttons for the actions beyond pause: an agent's panel (log
off, queues, text), a call's panel (hang up, transfer, listen), the log-on form, and the
supervisor's own phone saved in their session.

Panels show only what the caller's keys allow. The buttons post forms with the session's CSRF
token (htmx sends it in a header) over the same service layer as the JSON API. Hang-up,
transfer and log off ask on the page before they are sent.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from wallboard.i18n import gettext
from wallboard.store.directory import DirectoryStore
from wallboard.web.deps import (
    PageHangup,
    PageLogin,
    PageLogout,
    PageMembers,
    PageMonitor,
    PageText,
    PageTransfer,
    PageViewer,
    ServicesDep,
)
from wallboard.web.guard import Caller
from wallboard.web.services import Services
from wallboard.web.supervisor import ANSWER_FRAGMENTS, done, fragment
from wallboard.web.targets import dialable

router = APIRouter(prefix="/supervisor")


async def fields(request: Request) -> dict[str, list[str]]:
    """A urlencoded form, every value of each field (a list of checked queues); its size is
    bounded by ``BodyLimit``."""
    body = await request.body()
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)


def first(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0]


def may(services: Services, caller: Caller) -> dict[str, bool]:
    """Which of the actions the caller's keys allow, for the panels."""
    settings = services.settings
    names = ("pause", "login", "logout", "members", "hangup", "transfer", "monitor", "text")
    return {name: caller.holds(getattr(settings, f"key_{name}")) for name in names}


def watched(services: Services) -> list[tuple[str, str]]:
    return [(q.queue, q.name) for q in services.hub.state.queues]


@router.get("/agent-panel", response_class=HTMLResponse, dependencies=ANSWER_FRAGMENTS)
async def agent_panel(
    request: Request, caller: PageViewer, services: ServicesDep, agent: str = ""
) -> Response:
    found = await services.actions.agent(agent)
    queues = watched(services)
    return fragment(
        request,
        "agent_panel",
        agent=found,
        may=may(services, caller),
        joinable=[q for q in queues if q[0] not in found.queues],
        removable=[q for q in queues if q[0] in found.queues],
    )


@router.get("/call-panel", response_class=HTMLResponse, dependencies=ANSWER_FRAGMENTS)
async def call_panel(
    request: Request, caller: PageViewer, services: ServicesDep, callid: str = ""
) -> Response:
    call, agent = services.call_actions.call(callid)
    phone = caller.session.phone if caller.session else ""
    return fragment(
        request, "call_panel", call=call, agent=agent, may=may(services, caller), phone=phone
    )


@router.get("/login-form", response_class=HTMLResponse, dependencies=ANSWER_FRAGMENTS)
async def login_form(request: Request, caller: PageLogin, services: ServicesDep) -> Response:
    directory = await DirectoryStore(services.redis, services.keys).load()
    logged = {a.agent for a in services.hub.state.agents}
    known = directory.agents if directory else {}
    agents = sorted(
        (code, str(info.get("name") or code)) for code, info in known.items() if code not in logged
    )
    loaded = directory is not None
    return fragment(request, "login_form", agents=agents, queues=watched(services), loaded=loaded)


def sent(
    request: Request, message: str, what: str, kind: str, key: str, expect: str
) -> HTMLResponse:
    """The button's answer: sent (``message``, a whole sentence), and what the page waits to
    see in the data (``what``: the action's name, for the page to say when it is seen)."""
    return done(request, message, what=what, kind=kind, key=key, expect=expect)


@router.post("/login", response_class=HTMLResponse, dependencies=ANSWER_FRAGMENTS)
async def login(request: Request, caller: PageLogin, services: ServicesDep) -> Response:
    form = await fields(request)
    agent = first(form, "agent").strip().lower()
    await services.agent_actions.login(
        caller, agent, first(form, "extension"), form.get("queues", [])
    )
    message = gettext("Log on of %(agent)s sent. QueueMetrics passes it to the PBX…", agent=agent)
    return sent(request, message, gettext("Log on of %(agent)s", agent=agent), "agent", agent,
                "present")  # fmt: skip


@router.post("/logout", response_class=HTMLResponse, dependencies=ANSWER_FRAGMENTS)
async def logout(request: Request, caller: PageLogout, services: ServicesDep) -> Response:
    agent = first(await fields(request), "agent").strip().lower()
    await services.agent_actions.logout(caller, agent)
    message = gettext("Log off of %(agent)s sent. QueueMetrics passes it to the PBX…", agent=agent)
    return sent(request, message, gettext("Log off of %(agent)s", agent=agent), "agent", agent,
                "gone")  # fmt: skip


async def members(request: Request, caller: Caller, services: Services, action: str) -> Response:
    form = await fields(request)
    agent, queues = first(form, "agent").strip().lower(), form.get("queues", [])
    await services.agent_actions.members(caller, action, agent, queues)
    expect = ("in:" if action == "join" else "out:") + " ".join(queues)
    if action == "join":
        message = gettext(
            "Adding to queues for %(agent)s sent. QueueMetrics passes it to the PBX…", agent=agent
        )
        what = gettext("Adding to queues for %(agent)s", agent=agent)
    else:
        message = gettext(
            "Removal from queues for %(agent)s sent. QueueMetrics passes it to the PBX…",
            agent=agent,
        )
        what = gettext("Removal from queues for %(agent)s", agent=agent)
    return sent(request, message, what, "agent", agent, expect)


@router.post("/join", response_class=HTMLResponse, dependencies=ANSWER_FRAGMENTS)
async def join(request: Request, caller: PageMembers, services: ServicesDep) -> Response:
    return await members(request, caller, services, "join")


@router.post("/remove", response_class=HTMLResponse, dependencies=ANSWER_FRAGMENTS)
async def remove(request: Request, caller: PageMembers, services: ServicesDep) -> Response:
    return await members(request, caller, services, "remove")


@router.post("/text", response_class=HTMLResponse, dependencies=ANSWER_FRAGMENTS)
async def text(request: Request, caller: PageText, services: ServicesDep) -> Response:
    form = await fields(request)
    agent = first(form, "agent").strip().lower()
    await services.agent_actions.text(caller, agent, first(form, "message"))
    return done(request, gettext("Text sent to %(agent)s's phone.", agent=agent))


@router.post("/hangup", response_class=HTMLResponse, dependencies=ANSWER_FRAGMENTS)
async def hangup(request: Request, caller: PageHangup, services: ServicesDep) -> Response:
    callid = first(await fields(request), "callid").strip()
    await services.call_actions.hangup(caller, callid)
    message = gettext("Hang-up sent. QueueMetrics passes it to the PBX…")
    return sent(request, message, gettext("Hang-up"), "call", callid, "gone")


@router.post("/transfer", response_class=HTMLResponse, dependencies=ANSWER_FRAGMENTS)
async def transfer(request: Request, caller: PageTransfer, services: ServicesDep) -> Response:
    form = await fields(request)
    callid = first(form, "callid").strip()
    await services.call_actions.transfer(caller, callid, first(form, "target"))
    message = gettext(
        "Transfer to %(target)s sent. QueueMetrics passes it to the PBX…",
        target=first(form, "target").strip(),
    )
    what = gettext("Transfer to %(target)s", target=first(form, "target").strip())
    return sent(request, message, what, "call", callid, "moved")


@router.post("/listen", response_class=HTMLResponse, dependencies=ANSWER_FRAGMENTS)
async def listen(request: Request, caller: PageMonitor, services: ServicesDep) -> Response:
    form = await fields(request)
    phone = first(form, "target").strip()
    await services.call_actions.listen(caller, first(form, "callid").strip(), phone)
    if first(form, "remember") and caller.session is not None:
        await save_phone(services, caller, phone)
    return done(
        request, gettext("Listening: your phone %(phone)s rings and joins the call.", phone=phone)
    )


async def save_phone(services: Services, caller: Caller, phone: str) -> None:
    assert caller.session is not None
    session = dataclasses.replace(caller.session, phone=dialable(phone, "your phone"))
    await services.sessions.save(session)


@router.post("/phone", response_class=HTMLResponse, dependencies=ANSWER_FRAGMENTS)
async def phone(request: Request, caller: PageMonitor, services: ServicesDep) -> Response:
    """The supervisor's own phone, saved in their session so listening needs no typing."""
    number = first(await fields(request), "phone")
    await save_phone(services, caller, number)
    return done(request, gettext("Your phone is %(phone)s for this session.", phone=number.strip()))
