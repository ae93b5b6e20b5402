"""Request helpers shared by every area: the one way to decide between a whole page
and an htmx fragment, a redirect that htmx follows, and the one way to build a link
(from the route, also outside a request: reminders, CLI, the demo)."""

from flask import current_app, has_request_context, redirect, render_template, request, url_for


def wants_fragment() -> bool:
    """A fragment only for a request that asked for one (STYLE.md): HX-Request set,
    not boosted, not a history restore."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def render_page_or_fragment(page: str, fragment: str, status: int = 200, **context):
    template = fragment if wants_fragment() else page
    return render_template(template, **context), status


def hx_redirect_or_redirect(url: str, status: int = 303):
    """A redirect that also works for htmx requests (which follow 3xx silently)."""
    if request.headers.get("HX-Request") == "true":
        response = redirect(url, status)
        response.status_code = 200
        response.headers["HX-Redirect"] = url
        response.set_data(b"")
        return response
    return redirect(url, status)


def path_for(endpoint: str, _anchor: str | None = None, **values) -> str:
    """A route's path, from the app's own URL map: `url_for` in a request; outside one
    (reminders, commands) the same map bound without a host, so a notice made by the CLI
    links exactly like one made in a request. Never a second table of paths."""
    if has_request_context():
        return url_for(endpoint, _anchor=_anchor, **values)
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return f"{path}#{_anchor}" if _anchor else path


def external_url(endpoint: str, **values) -> str:
    """A link for an e-mail or a letter: PUBLIC_URL (the address people reach the
    service on, behind the proxy) and the route's path."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + path_for(endpoint, **values)
