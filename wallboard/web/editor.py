"""The board editor at ``/boards``: the list of boards and playlists with live previews, a form
per board and per playlist, delete with confirmation, export and import.

The forms post to the editor's own endpoints, which call the same ``BoardLibrary`` as the JSON
API (the same checks, the same optimistic locking) and answer HTML fragments. Posts need a
session holding the boards key and its CSRF token (htmx sends it in ``X-CSRF-Token``); HTTP
Basic is for the JSON API only, since a browser replays Basic credentials on any site's form.

Paths: a board or playlist not saved yet is ``_new`` (an underscore is never in a real id),
so ``/boards/_new/edit`` can never be a board's own editor; the editor's paths all have a
third segment (``/edit``, ``/save``, ``/delete``), so none is taken for a TV page
(``/boards/{id}``).
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from wallboard.i18n import N_, gettext, ngettext
from wallboard.model.board import Invalid
from wallboard.store.boards import Kind
from wallboard.web import editor_form as forms
from wallboard.web import errors
from wallboard.web.deps import Needs, ServicesDep, SessionDep, answers_with, json_only
from wallboard.web.editor_views import (
    NEW,
    admitted,
    board_context,
    failed,
    fragment,
    library_context,
    notice,
    page,
    playlist_context,
    redirect,
)
from wallboard.web.guard import Caller
from wallboard.web.library import InvalidBoard

router = APIRouter(tags=["editor"])
FRAGMENTS = [Depends(answers_with(failed))]
# Changing needs the boards key; asking for a confirmation does not change anything.
PageDesigner = Annotated[Caller, Depends(Needs("boards", basic=False))]
PageDesignerAsks = Annotated[Caller, Depends(Needs("boards", csrf=False, basic=False))]
IMPORT_RESULT = "#import-result"
CONFLICT = N_("Someone else saved it meanwhile: reload to see their version, then change it again.")
NOT_SAVED = N_("Not saved: see the marked fields.")


@router.get("/boards", response_class=HTMLResponse)
async def editor(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    if isinstance(who := admitted(request, session), Response):
        return who
    library = services.library
    context = library_context(await library.boards(), await library.playlists())
    return page(request, "editor.html", who, title=gettext("Boards"), **context)


@router.get("/boards/{ident}/edit", response_class=HTMLResponse)
async def edit_board(
    ident: str, request: Request, session: SessionDep, services: ServicesDep, clone: str = ""
) -> Response:
    if isinstance(who := admitted(request, session), Response):
        return who
    library = services.library
    if ident != NEW:
        draft = forms.board_draft(await library.board(ident))
    elif clone:
        draft = forms.clone_board(await library.board(clone))
    else:
        draft = forms.new_board()
    new = gettext("New board")
    title = gettext("Edit %(title)s", title=draft.values["title"]) if ident != NEW else new
    context = board_context(services, draft, ident)
    return page(request, "editor_board.html", who, title=title, **context)


def _board_form(
    request: Request, draft: forms.Draft, ident: str, status: int, note: str
) -> Response:
    services = request.app.state.services
    context = board_context(services, draft, ident)
    return fragment(request, "editor_board_form", status, note=note, **context)


@router.post("/boards/{ident}/save", response_class=HTMLResponse, dependencies=FRAGMENTS)
async def save_board(
    ident: str, request: Request, caller: PageDesigner, services: ServicesDep
) -> Response:
    form = forms.fields(await request.body())
    library = services.library
    stored = None if ident == NEW else await library.board(ident)
    try:
        raw = forms.board(form)
        if stored is None:
            saved = await library.create_board(raw, caller.user)
        else:
            saved = await library.update_board(ident, raw, caller.user)
    except (Invalid, InvalidBoard) as exc:
        draft = forms.with_problems(forms.posted_board(form, stored), exc.problems)
        return _board_form(request, draft, ident, 422, gettext(NOT_SAVED))
    except errors.Conflict:
        return notice(request, gettext(CONFLICT), 409, ok=False, reload=True)
    if stored is None:
        return redirect(f"/boards/{saved.id}/edit")
    note = gettext(
        "Saved, version %(version)s. Its screens reload themselves within seconds.",
        version=saved.version,
    )
    return _board_form(request, forms.board_draft(saved), ident, 200, note)


@router.get("/playlists/{ident}/edit", response_class=HTMLResponse)
async def edit_playlist(
    ident: str, request: Request, session: SessionDep, services: ServicesDep
) -> Response:
    if isinstance(who := admitted(request, session), Response):
        return who
    library = services.library
    draft = forms.playlist_draft(await library.playlist(ident)) if ident != NEW else None
    draft = draft or forms.new_playlist()
    new = gettext("New playlist")
    title = gettext("Edit %(title)s", title=draft.values["title"]) if ident != NEW else new
    context = playlist_context(draft, ident, await library.boards())
    return page(request, "editor_playlist.html", who, title=title, **context)


@router.post("/playlists/{ident}/save", response_class=HTMLResponse, dependencies=FRAGMENTS)
async def save_playlist(
    ident: str, request: Request, caller: PageDesigner, services: ServicesDep
) -> Response:
    form = forms.fields(await request.body())
    library = services.library
    stored = None if ident == NEW else await library.playlist(ident)
    try:
        raw = forms.playlist(form)
        if stored is None:
            saved = await library.create_playlist(raw, caller.user)
        else:
            saved = await library.update_playlist(ident, raw, caller.user)
    except InvalidBoard as exc:
        draft = forms.with_problems(forms.posted_playlist(form, stored), exc.problems)
        context = playlist_context(draft, ident, await library.boards())
        note = gettext(NOT_SAVED)
        return fragment(request, "editor_playlist_form", 422, note=note, **context)
    except errors.Conflict:
        return notice(request, gettext(CONFLICT), 409, ok=False, reload=True)
    if stored is None:
        return redirect(f"/playlists/{saved.id}/edit")
    context = playlist_context(forms.playlist_draft(saved), ident, await library.boards())
    note = gettext("Saved, version %(version)s.", version=saved.version)
    return fragment(request, "editor_playlist_form", note=note, **context)


async def _confirm(request: Request, kind: Kind, ident: str, back: str) -> Response:
    """The question first, beside the button (the keyboard's focus moves to it)."""
    library = request.app.state.services.library
    item = await (library.board(ident) if kind == "boards" else library.playlist(ident))
    return fragment(request, "editor_confirm", kind=kind, item=item,
                    back="edit" if back == "edit" else "list")  # fmt: skip


async def _delete(request: Request, kind: Kind, ident: str, caller: Caller) -> Response:
    """Deleted, then the way back: the list again (from the list) or to it (from the form)."""
    library = request.app.state.services.library
    back = forms.fields(await request.body()).get("back", ["list"])[0]
    await library.delete(kind, ident, caller.user)
    if back == "edit":
        return redirect("/boards")
    context = library_context(await library.boards(), await library.playlists())
    if kind == "boards":
        message = gettext("Deleted the board %(id)s.", id=ident)
    else:
        message = gettext("Deleted the playlist %(id)s.", id=ident)
    return fragment(request, "editor_changed", message=message, **context)


@router.get("/boards/{ident}/delete", response_class=HTMLResponse, dependencies=FRAGMENTS)
async def confirm_board(
    ident: str, request: Request, caller: PageDesignerAsks, back: str = "list"
) -> Response:
    return await _confirm(request, "boards", ident, back)


@router.get("/playlists/{ident}/delete", response_class=HTMLResponse, dependencies=FRAGMENTS)
async def confirm_playlist(
    ident: str, request: Request, caller: PageDesignerAsks, back: str = "list"
) -> Response:
    return await _confirm(request, "playlists", ident, back)


@router.post("/boards/{ident}/delete", response_class=HTMLResponse, dependencies=FRAGMENTS)
async def delete_board(ident: str, request: Request, caller: PageDesigner) -> Response:
    return await _delete(request, "boards", ident, caller)


@router.post("/playlists/{ident}/delete", response_class=HTMLResponse, dependencies=FRAGMENTS)
async def delete_playlist(ident: str, request: Request, caller: PageDesigner) -> Response:
    return await _delete(request, "playlists", ident, caller)


@router.post(
    "/boards/_import",
    response_class=HTMLResponse,
    dependencies=[*FRAGMENTS, Depends(json_only)],
)
async def import_all(request: Request, caller: PageDesigner, services: ServicesDep) -> Response:
    """An export file, all of it or nothing (checked whole by the library first)."""
    try:
        document = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError):
        message = gettext("That file is not JSON: nothing was imported.")
        return notice(request, message, 400, ok=False, where=IMPORT_RESULT)
    library = services.library
    try:
        counts = await library.import_all(document, caller.user)
    except InvalidBoard as exc:
        retarget = {"HX-Retarget": IMPORT_RESULT, "HX-Reswap": "innerHTML"}
        problems = forms.translated(exc.problems)
        return fragment(request, "editor_import_failed", 422, retarget, problems=problems)
    context = library_context(await library.boards(), await library.playlists())
    message = gettext(
        "Imported %(boards)s and %(playlists)s.",
        boards=ngettext("%(num)s board", "%(num)s boards", counts["boards"]),
        playlists=ngettext("%(num)s playlist", "%(num)s playlists", counts["playlists"]),
    )
    return fragment(request, "editor_changed", message=message, **context)
