"""The benchmark's generator and page list (`make bench`): a small municipality on the
test database, every measured page answers 200 as its persona, and the counters the
table reports see the page's queries and rows. Nothing here is timed."""

import pytest

from bench.generate import generate
from bench.run import counting, pages
from stafettlogg.models import AuditEvent, Entry, Evaluation, Log, Measure, Meeting, Notification, Unit, User
from stafettlogg.textformat import render_markdown

pytestmark = pytest.mark.db


@pytest.fixture
def info(db_conn):
    logs_before = Log.select().count()
    info = generate(60, report=lambda *a: None)
    assert Log.select().count() == logs_before + 60
    return info


def test_generator_scales_and_grows_the_measured_log(info):
    big = info["big_log"]
    assert Entry.select().where(Entry.log == big).count() == 100
    assert Measure.select().where(Measure.log == big).count() == 8
    assert Meeting.select().where(Meeting.log == big).count() == 6
    assert AuditEvent.select().where(AuditEvent.log_id == big).count() >= 500
    assert Unit.select().count() >= 6 and User.select().count() >= 40
    # roughly the proportions per log
    assert 8 <= Entry.select().count() / Log.select().count() <= 20
    assert info["autosave_meetings"]
    # approved minutes name their holder as the app keeps it when they are approved
    approved = Meeting.select().where(Meeting.finalised_at.is_null(False))
    assert approved.exists() and not approved.where((Meeting.holder_name == "") | (Meeting.unit_name == "")).exists()
    # notices over the years, the recent ones unread, each one a message the page renders
    holder = Log.get_by_id(big).holder
    notices = Notification.select().where(Notification.user == holder, Notification.dedupe_key.startswith("bench:"))
    assert notices.count() >= 3 * 30 and "i morgen kl. 14:00" in notices.first().text
    assert 0 < Notification.select().where(Notification.read_at.is_null()).count() < Notification.select().count()
    # every generated text is stored with its HTML, rendered as the app renders on save:
    # the pages show the text a municipality's would (Markdown is never rendered on a read)
    for model, field in ((Entry, "body"), (Measure, "what"), (Meeting, "minutes"), (Evaluation, "what_worked")):
        rows = list(model.select().where(getattr(model, field) != "").limit(20))
        assert rows, model
        for row in rows:
            assert getattr(row, f"{field}_html") == render_markdown(getattr(row, field)), (model, row.id)
    # ids chosen by the generator leave the sequences where the app continues
    new = Log.create(
        subject=Log.get_by_id(big).subject, unit=info["unit"], holder=Log.get_by_id(big).holder, created_by_id=1
    )
    assert new.id > max(log.id for log in Log.select(Log.id).where(Log.id != new.id))


def test_every_measured_page_answers_and_is_counted(info, auth, db_conn):
    for page in pages(info, "ansatt"):
        client = auth.login_as(page.persona)
        headers = {"HX-Request": "true"} if page.fragment else {}
        with counting(db_conn) as counter:
            if page.method == "POST":
                meeting = Meeting.get_by_id(info["autosave_meetings"][0])
                path = page.path.format(log=meeting.log_id, meeting=meeting.id)
                response = client.post(
                    path, data={"minutes": "Nytt utkast", "version": meeting.version, "autosave": "1"}, headers=headers
                )
            else:
                response = client.get(page.path, headers=headers)
        assert response.status_code == 200, (page.key, response.status_code)
        assert counter["sql"] and counter["rows"] > 0, page.key
    assert Meeting.get_by_id(info["autosave_meetings"][0]).minutes == "Nytt utkast"


def test_the_profile_splits_a_request_s_time_and_puts_everything_back(auth, db_conn):
    """`--profile` says how much of a request goes to building SQL and to rendering; the
    spies it sets are gone afterwards."""
    import flask.templating
    import peewee

    from bench.run import _time_split

    before = (peewee.Database.execute, flask.templating._render)
    client = auth.persona("holder")
    split = _time_split(3, lambda: client.get("/"))
    assert "building SQL" in split and "rendering" in split and "the rest" in split
    assert (peewee.Database.execute, flask.templating._render) == before
