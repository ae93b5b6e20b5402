"""The interface in bokmål or nynorsk, chosen by the user and remembered."""

import pytest

pytestmark = pytest.mark.db


def test_language_switch_sets_cookie_and_returns_to_page(client):
    r = client.post("/sprak", data={"lang": "nn", "next": "/login"})
    assert r.status_code == 303 and r.headers["Location"] == "/login"
    assert "lang=nn" in r.headers["Set-Cookie"] and "HttpOnly" in r.headers["Set-Cookie"]
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="nn" dir="ltr">' in page
    assert "Logg inn i Stafettlogg" in page or "Logg inn i Stafettloggen" in page


def test_language_switch_never_redirects_off_site(client):
    r = client.post("/sprak", data={"lang": "nb", "next": "//evil.example/"})
    assert r.headers["Location"] == "/"


def test_log_page_in_nynorsk(auth):
    c = auth.persona("holder")
    c.set_cookie("lang", "nn")
    html = c.get("/logger/1").get_data(as_text=True)
    assert "Stafetthaldar" in html and "Merksemd" in html
    edit = c.get("/logger/1/opplysninger").get_data(as_text=True)
    assert "Eige arkivsystem (private skular og barnehagar)" in edit  # labels made at import time follow too
