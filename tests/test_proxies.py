"""TRUSTED_PROXIES: the client address comes from X-Forwarded-For only behind configured proxies."""

import pytest
from flask import request

from stafettlogg.application import create_app


def _client_addr(trusted: int, headers: dict) -> tuple[str, str]:
    app = create_app({"TESTING": True, "TRUSTED_PROXIES": trusted, "DATABASE_URL": "sqlite:///:memory:"})
    with app.test_request_context("/", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.2"}):
        wrapped = app.wsgi_app
        environ = request.environ.copy()
    seen = {}

    def inner(environ, start_response):
        seen["addr"] = environ["REMOTE_ADDR"]
        seen["scheme"] = environ["wsgi.url_scheme"]
        start_response("200 OK", [])
        return [b""]

    if trusted:
        wrapped.app = inner
        wrapped(environ, lambda *a: None)
    else:
        inner(environ, lambda *a: None)
    return seen["addr"], seen["scheme"]


@pytest.mark.parametrize(
    ("trusted", "expected"),
    [(0, ("10.0.0.2", "http")), (1, ("198.51.100.7", "https")), (2, ("203.0.113.9", "https"))],
)
def test_forwarded_address_only_from_trusted_proxies(trusted, expected):
    headers = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7", "X-Forwarded-Proto": "https, https"}
    assert _client_addr(trusted, headers) == expected
