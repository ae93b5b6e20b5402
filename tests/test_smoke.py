import pytest

pytestmark = pytest.mark.db


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok", "db": "ok"}


def test_holder_sees_log(auth):
    c = auth.persona("holder")
    r = c.get("/")
    assert "Emma Hansen" in r.get_data(as_text=True)
    r = c.get("/logger/1")
    assert r.status_code == 200, r.get_data(as_text=True)[:2000]
