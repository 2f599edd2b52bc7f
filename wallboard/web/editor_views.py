"""What the editor's pages and fragments show, rendered from the same templates for a full page
and for the fragment an htmx post gets back; and who may see them (a session with the view
key; changing needs the boards key, checked again by every post)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from wallboard.i18n import N_, gettext
from wallboard.model.alerts import LABELS
from wallboard.model.board import DISTANCES, LANGUAGES, SOUNDS, THEMES, WIDGETS, Board, Playlist
from wallboard.web import editor_form
from wallboard.web.deps import answer_errors_with
from wallboard.web.editor_form import EVERY_QUEUE, Draft
from wallboard.web.errors import WebError
from wallboard.web.services import Services
from wallboard.web.sessions import Session

NEW = "_new"  # the id of a board or playlist not saved yet: "_" is never in a real id
NO_STORE = {"Cache-Control": "no-store"}
# Board pages the editor frames: they allow being framed by this site only (framing.py).
EMBED = "?embed=1"

# Marked for the catalogue; the templates translate them where they show them.
WIDGET_LABELS = {
    "queues": N_("Queues"), "totals": N_("Totals"), "today": N_("Today's figures"),
    "agents": N_("Agents"), "calls_waiting": N_("Calls waiting"),
    "calls_talking": N_("Calls in progress"), "messages": N_("Messages"), "clock": N_("Clock"),
    "agents_today": N_("Agents' day"), "trend": N_("Last hour"), "staffing": N_("Agents needed"),
}  # fmt: skip
# Each language by its own name (never translated).
LANGUAGE_NAMES = {"en": "English", "it": "Italiano", "de": "Deutsch", "fr": "Français",
                  "es": "Español"}  # fmt: skip
CHOICES = {"sound": SOUNDS, "distance": DISTANCES, "theme": THEMES, "language": LANGUAGES}
# The fields whose problems the board form shows beside their inputs; others above the form.
PLACED = ("id", "title", "queues", "group", "location", "supervisor", "widgets", "thresholds",
          *CHOICES, "mask_callers", "leaderboard")  # fmt: skip


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def admitted(request: Request, session: Session | None) -> Session | Response:
    """The session that may see the editor, or the answer to somebody who may not: the login
    page, or "not allowed". Errors of the page then answer as a page (``missing``)."""
    services = services_of(request)
    key = services.settings.key_view
    if session is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    if session.holds(key):
        answer_errors_with(request, missing)
        return session
    html = services.renderer.page("denied.html", title=gettext("Not allowed"), key=key,
                                  user=session.user, csrf=session.csrf, state=None)  # fmt: skip
    return HTMLResponse(html, status_code=403, headers=NO_STORE)


def page(request: Request, template: str, session: Session, **context: Any) -> HTMLResponse:
    services = services_of(request)
    html = services.renderer.page(template, session=session, **_common(services, session),
                                  **context)  # fmt: skip
    return HTMLResponse(html, headers=NO_STORE)


def fragment(
    request: Request, name: str, status: int = 200, headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:  # fmt: skip
    services = services_of(request)
    html = services.renderer.env.get_template(f"partials/{name}.html").render(
        **_common(services, None), **context
    )
    return HTMLResponse(html, status_code=status, headers={**NO_STORE, **(headers or {})})


def notice(
    request: Request, message: str, status: int = 200, ok: bool = True,
    where: str = "#editor-status", reload: bool = False,
) -> HTMLResponse:  # fmt: skip
    """A sentence in the page's status line (or ``where``), wherever the post meant to swap its
    answer: an error must not replace the form the user is filling in."""
    retarget = {"HX-Retarget": where, "HX-Reswap": "innerHTML"}
    return fragment(
        request, "editor_notice", status, retarget, ok=ok, message=message, reload=reload
    )


def failed(request: Request, exc: WebError, status: int) -> Response:
    """The editor's answer to a refused post (no login, no key or CSRF token, no such board)."""
    return notice(request, exc.message[:1].upper() + exc.message[1:], status, ok=False)


def missing(request: Request, exc: WebError, status: int) -> Response:
    """A page of the editor that cannot be shown (no such board), as a page with the way back."""
    services = services_of(request)
    html = services.renderer.page("editor_error.html", title=gettext("Not found"),
                                  message=exc.message, state=None)  # fmt: skip
    return HTMLResponse(html, status_code=status, headers=NO_STORE)


def redirect(path: str) -> HTMLResponse:
    """Where htmx goes next (a whole page: the saved board's own editor, or the list)."""
    return HTMLResponse("", headers={**NO_STORE, "HX-Redirect": path})


def _common(services: Services, session: Session | None) -> dict[str, Any]:
    settings = services.settings
    return {
        "can_change": session.holds(settings.key_boards) if session else True,
        "boards_key": settings.key_boards,
        "embed": EMBED,
        "new": NEW,
    }


def queue_choices(services: Services, extra: list[str]) -> list[tuple[str, str]]:
    """The queues a board may name, with their names: the watched ones, or every queue known
    when all are watched; and the board's own, so that one no longer watched can be unticked."""
    hub = services.hub
    names = {**hub.directory.queues, **{q.queue: q.name for q in hub.state.queues}}
    codes = [q for q in services.settings.queue_list if q != "*"] or sorted(names)
    codes += [q for q in extra if q not in codes]
    return [(code, names.get(code) or code) for code in codes]


def defaults(services: Services, queue: str) -> dict[str, tuple[str, str]]:
    """The thresholds that apply without the board's own, per figure, as the inputs' hints."""
    applied = services.settings.alert_thresholds.of(queue)
    text = editor_form.number_text
    return {f: (text(t.yellow), text(t.red)) for f, t in applied.items()}


def board_context(services: Services, draft: Draft, ident: str) -> dict[str, Any]:
    values = draft.values
    own = [*values["queues"], *(q for q in values["thresholds"] if q != EVERY_QUEUE)]
    queues = queue_choices(services, own)
    every = gettext("Every queue")
    rows = [(EVERY_QUEUE, every), *[(c, n) for c, n in queues if c != EVERY_QUEUE]]
    return {
        "draft": draft,
        "ident": ident,
        "placed": PLACED,
        "queues": queues,
        "threshold_rows": [(code, name, defaults(services, code)) for code, name in rows],
        "figures": editor_form.figures(),
        "figure_labels": LABELS,
        "widget_rows": editor_form.ordered_rows(values["widgets"], WIDGETS),
        "widget_labels": WIDGET_LABELS,
        "choices": CHOICES,
        "th": editor_form.threshold_name,
    }


def playlist_context(draft: Draft, ident: str, boards: list[Board]) -> dict[str, Any]:
    titles = {b.id: b.title for b in boards}
    chosen = list(draft.values["boards"])
    return {
        "draft": draft,
        "ident": ident,
        "board_rows": editor_form.ordered_rows(chosen, [*titles, *chosen]),
        "board_titles": titles,
    }


def library_context(boards: list[Board], playlists: list[Playlist]) -> dict[str, Any]:
    return {"boards": boards, "playlists": playlists, "widget_labels": WIDGET_LABELS}
