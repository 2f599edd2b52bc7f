"""The configuration editors (`{editor}/[{id}/]jsonEditorApi.do`), read-only: agent, user."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from wallboard.simulator.callcenter import Agent
from wallboard.simulator.config import User
from wallboard.simulator.deps import RunningSim
from wallboard.simulator.gateway import HTML_403, Ctx, QmEndpoint, json_response

FIRST_AGENT_ID = 71  # as in Loway's example, where agent/101 is record 71

router = APIRouter()


def _ids(values: list[str]) -> dict[str, int]:
    return {v: i + 1 for i, v in enumerate(sorted(set(values)))}


def _number(a: Agent) -> str:
    return a.code.partition("/")[2] or a.code


def _supervisor(ctx: Ctx, a: Agent) -> User | None:
    return ctx.cfg.user(a.supervisor) if a.supervisor else None


def agent_record(ctx: Ctx, pk: int, a: Agent, full: bool) -> dict[str, Any]:
    agents = list(ctx.sim.center.agents.values())
    group_id = _ids([x.group for x in agents])[a.group]
    loc_id = _ids([x.location for x in agents])[a.location]
    sup = _supervisor(ctx, a)
    number = _number(a)
    terminal = a.terminal if a.logged_on else ""
    if not full:
        return {
            "group_name": a.group,
            "PK_ID": str(pk),
            "location": str(loc_id),
            "group_by": str(group_id),
            "descr_agente": f"{a.name} ({number})",
            "chiave_agente": "",
            "loc_name": a.location,
            "vnc_url": "",
            "group_icon": "default.png",
            "real_name": sup.real_name if sup else "",
            "supervised_by": str(sup.pk_id) if sup else "",
            "current_terminal": terminal,
            "nome_agente": a.code,
            "xmpp_address": f"agent{number}@chatserver",
        }
    queues = ctx.sim.center.queues
    return {
        "aliases": "",
        "chiave_agente": "",
        "current_terminal": terminal or "-",
        "default_server": "0",
        "descr_agente": f"{a.name} ({number})",
        "group_by": str(group_id),
        "group_by__DECODED": a.group,
        "id_agente": str(pk),
        "location": str(loc_id),
        "location__DECODED": a.location,
        "ltCodeAssociate": [
            ["inbound", queues[q].name, "Main" if a.level(q) == 0 else "Wrap"] for q in a.queues
        ],
        "nome_agente": a.code,
        "nomedata_insert": "demoadmin, 18/06/2007, 22:28",
        "nomedata_update": "demoadmin, 05/05/2014, 12:56",
        "payroll_code": "",
        "sip_login": "",
        "sip_pwd": "",
        "sip_realm": "",
        "sip_uri": "",
        "supervised_by": str(sup.pk_id) if sup else "",
        "supervised_by__DECODED": sup.login if sup else "",
        "sys_dt_creazione": "2007-06-18 22:28:20",
        "sys_dt_modifica": "2014-05-05 12:56:33",
        "sys_optilock": str(60000 + pk),
        "sys_user_creazione": "32",
        "sys_user_modifica": "32",
        "vnc_url": "",
        "xmpp_address": f"agent{number}@chatserver",
    }


def user_record(u: User, full: bool) -> dict[str, Any]:
    record = {
        "PK_ID": str(u.pk_id),
        "login": u.login,
        "real_name": u.real_name,
        "class": u.user_class,
        "email": u.email,
        "enabled": "1" if u.enabled else "0",
    }
    if full:
        record |= {
            "user_id": str(u.pk_id),
            "class__DECODED": u.user_class,
            "keys": u.keys,
            "masterkey": "1" if u.masterkey else "0",
        }
    return record


def _agents(ctx: Ctx) -> list[tuple[int, Agent]]:
    return [(FIRST_AGENT_ID + i, a) for i, a in enumerate(ctx.sim.center.agents.values())]


def _switched_off(ctx: Ctx, editor: str) -> Response | None:
    """The user editor's answer when the `user_editor` knob turns it off."""
    if editor != "user" or ctx.cfg.user_editor == "on":
        return None
    if ctx.cfg.user_editor == "403":
        return HTMLResponse(HTML_403, 403)
    return json_response({"error": f"Unknown editor '{editor}'"}, 404)


async def listing(ctx: Ctx) -> Response:
    editor = ctx.request.path_params["editor"]
    off = _switched_off(ctx, editor)
    if off is not None:
        return off
    q = ctx.param("q").lower()
    if editor == "agent":
        records = [agent_record(ctx, pk, a, False) for pk, a in _agents(ctx)]
        if q:
            records = [
                r for r in records if q in r["nome_agente"] or q in r["descr_agente"].lower()
            ]
        return json_response(records)
    if editor == "user":
        users = [user_record(u, False) for u in ctx.cfg.users]
        return json_response([u for u in users if not q or q in u["login"].lower()])
    return json_response({"error": f"Unknown editor '{editor}'"}, 404)


async def single(ctx: Ctx) -> Response:
    editor = ctx.request.path_params["editor"]
    pk = ctx.request.path_params["id"]
    off = _switched_off(ctx, editor)
    if off is not None:
        return off
    if editor == "agent":
        for number, a in _agents(ctx):
            if str(number) == pk:
                return json_response(agent_record(ctx, number, a, True))
    elif editor == "user":
        for u in ctx.cfg.users:
            if str(u.pk_id) == pk:
                return json_response(user_record(u, True))
    else:
        return json_response({"error": f"Unknown editor '{editor}'"}, 404)
    return json_response({"error": f"No {editor} record with id {pk}"}, 404)


LISTING = QmEndpoint("editor", listing, kind="editor")
SINGLE = QmEndpoint("editor", single, kind="editor")


@router.get("/{editor}/jsonEditorApi.do")
async def list_records(sim: RunningSim, request: Request) -> Response:
    return await LISTING.serve(sim, request)


@router.get("/{editor}/{id}/jsonEditorApi.do")
async def one_record(sim: RunningSim, request: Request) -> Response:
    return await SINGLE.serve(sim, request)
