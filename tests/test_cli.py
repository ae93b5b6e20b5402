"""The CLI: create the system admin, bootstrap an area, seed the demo (only into an empty
database), check invariants."""

import pytest

from stafettlogg.db import db
from stafettlogg.models import Area, Log, Role, User
from stafettlogg.passwords import verify_password
from tests.conftest import _make_app

pytestmark = pytest.mark.db


@pytest.fixture
def empty_app(tmp_path):
    return _make_app(f"sqlite:///{tmp_path / 'empty.sqlite3'}")


def test_production_starts_with_no_accounts_then_admin_and_area(empty_app):
    with db.connection_context():
        assert User.select().count() == 0
    runner = empty_app.test_cli_runner()
    r = runner.invoke(args=["create-admin", "sysadmin"], env={"STAFETTLOGG_PASSWORD": "Et godt langt passord"})
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        args=["bootstrap-area", "Oppvekst", "kari.leder", "--name", "Kari Leder"],
        env={"STAFETTLOGG_PASSWORD": "Et annet langt passord"},
    )
    assert r.exit_code == 0, r.output
    with db.connection_context():
        admin = User.get(User.username == "sysadmin")
        leader = User.get(User.username == "kari.leder")
        assert admin.role == Role.ADMIN and verify_password(admin.password_hash, "Et godt langt passord")
        assert leader.role == Role.AREA_LEADER and leader.area.name == "Oppvekst"
        assert not admin.must_change_password


def test_cli_refuses_weak_password_and_duplicates(empty_app):
    runner = empty_app.test_cli_runner()
    r = runner.invoke(args=["create-admin", "sysadmin"], env={"STAFETTLOGG_PASSWORD": "kort"})
    assert r.exit_code == 1 and "minst 12 tegn" in r.output
    runner.invoke(args=["create-admin", "sysadmin"], env={"STAFETTLOGG_PASSWORD": "Et godt langt passord"})
    r = runner.invoke(args=["create-admin", "sysadmin"], env={"STAFETTLOGG_PASSWORD": "Et godt langt passord"})
    assert r.exit_code == 1 and "allerede i bruk" in r.output
    with db.connection_context():
        assert User.select().count() == 1
        assert Area.select().count() == 0


def test_seed_demo_only_into_an_empty_database(empty_app):
    r = empty_app.test_cli_runner().invoke(args=["seed-demo"])
    assert r.exit_code == 0, r.output
    with db.connection_context():
        assert User.select().where(User.username == "stafettholder").exists()
        assert Log.select().count() >= 4
    again = empty_app.test_cli_runner().invoke(args=["seed-demo"])
    assert again.exit_code == 1 and "ikke tom" in again.output
    quiet = empty_app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert quiet.exit_code == 0


def test_check_invariants_exit_codes(app):
    runner = app.test_cli_runner()
    r = runner.invoke(args=["check-invariants"])
    assert r.exit_code == 0 and "ok" in r.output
    with db.connection_context():
        User.update(active=False).where(User.username == "stafettholder").execute()
    r = runner.invoke(args=["check-invariants"])
    assert r.exit_code == 1
    assert "stafettholderen" in r.output and "er deaktivert" in r.output
