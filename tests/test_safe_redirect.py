"""Every ``next`` goes through auth.safe_next: only a path on this host."""

import pytest

REFUSED = [
    "//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "/ /evil.example",
    "\t//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "evil.example",
    "///evil.example",
    "/\x00/evil.example",
    "",
]
ALLOWED = ["/", "/logger/1", "/mine/1?fane=innsyn", "/varsler#siste"]


@pytest.mark.parametrize("target", REFUSED)
def test_language_switch_refuses_every_variant(client, target):
    response = client.post("/sprak", data={"lang": "nn", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ALLOWED)
def test_language_switch_returns_to_a_local_page(client, target):
    assert client.post("/sprak", data={"lang": "nn", "next": target}).headers["Location"] == target


@pytest.mark.parametrize("target", REFUSED)
def test_login_refuses_every_variant(auth, target):
    client = auth.login_as("stafettholder")
    response = client.get("/login", query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_the_check_is_said_once():
    """No view restates the check: every ``next`` is read through safe_next."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parent.parent / "stafettlogg"
    for path in root.rglob("*.py"):
        text = path.read_text()
        for match in re.finditer(r"""get\(["']next["']""", text):
            line = text[: match.end()].rsplit("\n", 1)[-1]
            assert "safe_next(" in line, f"{path}: {line.strip()}"


@pytest.mark.parametrize("target", [t for t in REFUSED if t])
def test_opening_a_notice_goes_through_the_same_check(auth, db_conn, target):
    """A notice's link is a redirect too: the same one check, never a restated one
    (``startswith("/")`` let ``//evil.example`` through)."""
    from stafettlogg.models import Notification
    from tests.conftest import user

    note = Notification.create(user=user("stafettholder"), kind="test", message='"Hei"', url=target, dedupe_key=target)
    try:
        response = auth.login_as("stafettholder").post(f"/varsler/{note.id}/les")
    finally:
        note.delete_instance()  # a link to no route, left for the app fixture's check
    assert response.status_code == 303
    assert response.headers["Location"] in ("/", "/varsler")
