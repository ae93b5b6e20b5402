import pytest

from tests.conftest import a_log

pytestmark = pytest.mark.db


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok", "db": "ok"}


def test_holder_sees_log(auth):
    log = a_log(name="Lea Røyksopp")
    c = auth.persona("holder")
    r = c.get("/")
    assert "Lea Røyksopp" in r.get_data(as_text=True)
    r = c.get(f"/logger/{log.id}")
    assert r.status_code == 200, r.get_data(as_text=True)[:2000]
