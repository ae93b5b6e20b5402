"""Request helpers shared by every area: the one way to decide between a whole page
and an htmx fragment, a redirect that htmx follows, and the one way to build a link
(from the route, also outside a request: reminders, CLI, the demo)."""

from flask import (
    abort,
    current_app,
    flash,
    has_app_context,
    has_request_context,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)


def is_htmx() -> bool:
    """Any request htmx made (also boosted): it follows no 3xx, so it is sent on with HX-Redirect."""
    return request.headers.get("HX-Request") == "true"


def wants_fragment() -> bool:
    """A fragment only for a request that asked for one (STYLE.md): HX-Request set,
    not boosted, not a history restore."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def page_or_fragment(fragment: str, page=None, status: int = 200, *, headers=None, reads=None, **context):
    """The one answer to "whole page or htmx fragment?" for every route that has a fragment.

    An htmx request that asked for a fragment (`wants_fragment`) gets `fragment` rendered
    with `context`, with `headers` (HX-Trigger, HX-Retarget …). Any other request gets the
    whole page: `page` is the page's template (rendered with the same context), or a
    function that answers with the whole page (a page built around a refusal, or a
    redirect back after a plain form post). `reads` gives the context that costs queries;
    it is called only when a template is rendered, never before a redirect."""
    if callable(page) and not wants_fragment():
        return page()
    context = {**(reads() if reads else {}), **context}
    if wants_fragment():
        response = make_response(render_template(fragment, **context), status)
        response.headers.update(headers or {})
        return response
    return make_response(render_template(page, **context), status)


def row_or_404(model, *where, **filters):
    """The one row the conditions name, or 404: a row of another log or unit is not found."""
    row = model.get_or_none(*where, **filters)
    if row is None:
        abort(404)
    return row


def back_to(url: str, message: str | None = None, category: str = "success"):
    """After a plain form post (no JavaScript): a message and back to where the person was."""
    if message:
        flash(message, category)
    return redirect(url, 303)


def hx_redirect_or_redirect(url: str, status: int = 303):
    """A redirect that also works for htmx requests (which follow 3xx silently)."""
    if is_htmx():
        response = redirect(url, status)
        response.status_code = 200
        response.headers["HX-Redirect"] = url
        response.set_data(b"")
        return response
    return redirect(url, status)


# The routes' URL map of the app created in this process: the same in every process (it
# is code, not state), so a notice made outside an app context links like one made in a
# request (tests and scripts that call the rules directly).
_url_map = None


def init_app(app) -> None:
    global _url_map
    _url_map = app.url_map


def path_for(endpoint: str, _anchor: str | None = None, **values) -> str:
    """A route's path, from the app's own URL map: `url_for` in a request; outside one
    (reminders, commands) the same map bound without a host. Never a second table of paths."""
    if has_request_context():
        return url_for(endpoint, _anchor=_anchor, **values)
    url_map = current_app.url_map if has_app_context() else _url_map
    path = url_map.bind("localhost").build(endpoint, values)
    return f"{path}#{_anchor}" if _anchor else path


PLACEHOLDER = 2_000_000_001  # an id no URL is built with; replaced by each row's id


def fill_id(template: str, row_id: int) -> str:
    """A URL built with PLACEHOLDER, with ``row_id`` in its place."""
    head, _sep, tail = template.rpartition(str(PLACEHOLDER))
    return f"{head}{row_id}{tail}"


def urls_by_id(endpoint: str, name: str, **values):
    """``url_for(endpoint, name=id, **values)`` for the rows of a list: built once with
    PLACEHOLDER and filled in per row (a list of fifty cards asks for fifty links to the
    same route)."""
    template = url_for(endpoint, **{name: PLACEHOLDER}, **values)
    return lambda row_id: fill_id(template, row_id)


def external_url(endpoint: str, **values) -> str:
    """A link for an e-mail or a letter: PUBLIC_URL (the address people reach the
    service on, behind the proxy) and the route's path."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + path_for(endpoint, **values)
