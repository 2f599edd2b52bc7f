"""The supervisor page and its buttons: HTML fragments over the same service layer as the API."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wallboard.web.guard import ApiError, Caller
from wallboard.web.login import form
from wallboard.web.services import Services
from wallboard.web.views import View


def install(app: FastAPI, services: Services) -> None:
    renderer = services.renderer
    settings = services.settings
    guard = services.guard

    def fragment(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = renderer.env.get_template(f"partials/{name}.html").render(**context)
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})

    def result(ok: bool, message: str, status: int = 200, **pending: Any) -> HTMLResponse:
        return fragment("action_result", status, ok=ok, message=message, pending=pending)

    async def viewer(request: Request) -> Caller:
        """A logged-in holder of the view key (CSRF is checked on the POSTs)."""
        caller = await guard.caller(request, csrf=request.method != "GET")
        guard.require(caller, settings.key_view)
        return caller

    @app.get("/supervisor", response_class=HTMLResponse)
    async def supervisor(request: Request, title: str = "") -> Response:
        session = await guard.session(request)
        if session is None:
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        if not session.holds(settings.key_view):
            html = renderer.page(
                "denied.html",
                title="Not allowed",
                key=settings.key_view,
                user=session.user,
                state=None,
            )
            return HTMLResponse(html, status_code=403)
        view = View.from_query(request.query_params, "supervisor")
        html = services.hub.page(
            "supervisor.html",
            view,
            title[:100] or "Supervisor",
            session=session,
            audit=await services.audit.recent(10),
            confirm_timeout=settings.action_confirm_timeout,
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    @app.get("/supervisor/pause-form", response_class=HTMLResponse)
    async def pause_form(request: Request, agent: str = "") -> Response:
        try:
            caller = await viewer(request)
            guard.require(caller, settings.key_pause)
            found = await services.actions.agent(agent)
            codes = await services.actions.pause_codes(found["agent"])
        except ApiError as exc:
            return result(False, exc.message, exc.status)
        return fragment("pause_form", agent=found, codes=sorted(codes.items()))

    async def agent_action(request: Request, action: str) -> Response:
        """Pause or unpause from a button: the same service as the API, an HTML answer."""
        try:
            caller = await viewer(request)
            fields = await form(request)
            if action == "pause":
                await services.actions.pause(caller, fields.get("agent"), fields.get("pause_code"))
            else:
                await services.actions.unpause(caller, fields.get("agent"))
        except ApiError as exc:
            return result(False, exc.message, exc.status)
        agent = fields.get("agent", "").lower()
        expect = "paused" if action == "pause" else "available"
        message = f"{action.capitalize()} sent for {agent}. QueueMetrics passes it to the PBX…"
        return result(True, message, agent=agent, expect=expect)

    @app.post("/supervisor/pause", response_class=HTMLResponse)
    async def pause(request: Request) -> Response:
        return await agent_action(request, "pause")

    @app.post("/supervisor/unpause", response_class=HTMLResponse)
    async def unpause(request: Request) -> Response:
        return await agent_action(request, "unpause")

    @app.post("/supervisor/broadcast", response_class=HTMLResponse)
    async def broadcast(request: Request) -> Response:
        try:
            caller = await viewer(request)
            fields: dict[str, Any] = dict(await form(request))
            fields["everyone"] = fields.get("target") == "everyone"
            target = fields.pop("target", "")
            for name in ("queue", "location", "supervisor", "agent"):
                if name != target:
                    fields.pop(name, None)
            await services.actions.broadcast(caller, fields)
        except ApiError as exc:
            return result(False, exc.message, exc.status)
        return result(True, "Message sent.")
