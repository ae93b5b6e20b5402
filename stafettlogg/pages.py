"""The one way to decide between a whole page and an htmx fragment."""

from flask import redirect, render_template, request


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
