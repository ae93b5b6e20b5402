"""One way to build a link: every link in a notice, e-mail, reminder or export comes from
the route (url_for / web.path_for), also outside a request. The app fixture checks every
stored notice's link after each test (tests/conftest.py); these tests check the checker
and the link builders."""

import pytest

from stafettlogg import web
from stafettlogg.models import Notification, User
from stafettlogg.notify import dumps, msg
from tests.conftest import notification_link_problems


def test_a_hand_written_link_to_no_route_is_found(app, db_conn):
    someone = User.get(User.username == "stafettholder")
    Notification.create(
        user=someone, kind="test", message=dumps(msg("Hei")), url="/logger/1/finnes-ikke", dedupe_key="test:link"
    )
    assert notification_link_problems(app) == ["/logger/1/finnes-ikke"]
    Notification.delete().where(Notification.kind == "test").execute()
    assert notification_link_problems(app) == []


def test_path_for_is_the_same_inside_and_outside_a_request(app):
    with app.test_request_context("/"):
        inside = web.path_for("logs.show", log_id=7, _anchor="measures")
    with app.app_context():
        outside = web.path_for("logs.show", log_id=7, _anchor="measures")
    assert inside == outside == "/logger/7#measures"


def test_external_url_uses_the_public_address(app):
    app.config["PUBLIC_URL"] = "https://stafettlogg.kommune.no/"
    with app.app_context():
        assert web.external_url("guardian.show", log_id=3) == "https://stafettlogg.kommune.no/mine/3"


@pytest.mark.parametrize("path", ["stafettlogg"])
def test_no_second_table_of_paths_and_no_hand_written_links(path):
    """Notices link through the routes: no PATHS table, no f"/logger/…" strings."""
    import re
    from pathlib import Path

    offenders = []
    for file in Path(path).rglob("*.py"):
        if "migrations" in file.parts:
            continue
        text = file.read_text()
        if re.search(r"^PATHS\s*=", text, re.M):
            offenders.append(f"{file}: PATHS table")
        for match in re.finditer(
            r"""f["'](/(?:logger|mine|enheter|varsler|stafettholder|foresporsler|ke)\b[^"']*)""", text
        ):
            offenders.append(f"{file}: {match.group(1)}")
    assert not offenders, offenders


def test_page_or_fragment_reads_only_for_what_it_renders(app):
    """The costly context is read for a fragment, never before a redirect back."""
    asked = []

    def reads():
        asked.append(1)
        return {"code": 418, "message": "x"}

    with app.test_request_context("/", headers={"HX-Request": "true"}):
        response = web.page_or_fragment("error.html", lambda: web.back_to("/"), reads=reads)
        assert response.status_code == 200 and asked == [1]
    with app.test_request_context("/"):
        response = web.page_or_fragment("error.html", lambda: web.back_to("/"), reads=reads)
        assert response.status_code == 303 and asked == [1]
