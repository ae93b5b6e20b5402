"""deploy/: the systemd units pass `systemd-analyze verify`, and the nginx configuration,
in front of gunicorn started with deploy/gunicorn.conf.py, passes the client's address
and HTTPS to the app (TRUSTED_PROXIES=1), redirects HTTP and limits upload size.

Locally these tests skip when nginx or systemd-analyze is missing; under CI=true they
fail instead (CI installs both)."""

import configparser
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.smtp import free_port

pytestmark = pytest.mark.deploy

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
CLIENT = "127.0.0.2"  # the browser: another loopback address than nginx's own


def _require(tool: str) -> str:
    path = shutil.which(tool) or (f"/usr/sbin/{tool}" if Path(f"/usr/sbin/{tool}").exists() else None)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} is missing in CI: .ci/run must install it")
        pytest.skip(f"{tool} is not installed")
    return path


# ------------------------------------------------------------------ systemd


def _units() -> list[Path]:
    return sorted((DEPLOY / "systemd").glob("*.service")) + sorted((DEPLOY / "systemd").glob("*.timer"))


def _parse(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(path)
    return parser


def test_systemd_units_verify(tmp_path):
    analyze = _require("systemd-analyze")
    env_file = tmp_path / "stafettlogg.env"
    env_file.write_text("DATABASE_URL=sqlite:////var/lib/stafettlogg/stafettlogg.sqlite3\n")
    for unit in _units():
        text = unit.read_text()
        assert unit.suffix == ".timer" or "/opt/stafettlogg" in text
        # the installed paths, pointed at this checkout so the commands exist
        text = text.replace("/opt/stafettlogg", str(ROOT)).replace("/etc/stafettlogg/stafettlogg.env", str(env_file))
        (tmp_path / unit.name).write_text(text)
    names = [unit.name for unit in _units()]
    result = subprocess.run(
        [analyze, "verify", "--man=no", *names], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


def test_the_units_run_what_the_readme_promises():
    web = _parse(DEPLOY / "systemd/stafettlogg.service")["Service"]
    assert web["KillMode"] == "mixed" and web["Type"] == "notify"
    assert "gunicorn --config /opt/stafettlogg/deploy/gunicorn.conf.py app:app" in web["ExecStart"]
    assert web["RestartPreventExitStatus"] == "3"  # gunicorn's "worker failed to boot": an old schema
    jobs = {"send-mail": "send-mail", "send-reminders": "send-reminders", "june-reminders": "june-reminders"}
    jobs["backup"] = "backup --keep 14 /var/backups/stafettlogg"
    for name, command in jobs.items():
        service = _parse(DEPLOY / f"systemd/stafettlogg-{name}.service")["Service"]
        assert service["Type"] == "oneshot"
        assert service["ExecStart"].endswith(f"/flask --app app {command}")
        timer = _parse(DEPLOY / f"systemd/stafettlogg-{name}.timer")
        assert timer["Install"]["WantedBy"] == "timers.target"
        assert "OnCalendar" in timer["Timer"] or "OnUnitActiveSec" in timer["Timer"]
    readme = (ROOT / "README.md").read_text()
    for unit in _units():
        assert unit.name in readme, f"README does not install {unit.name}"


def test_the_upgrade_and_the_way_back_stop_and_start_every_timer():
    """README «Upgrading, and the way back»: nothing runs against the database while it is
    migrated or restored — every timer is stopped first and started again after."""
    section = (ROOT / "README.md").read_text().split("### Upgrading, and the way back", 1)[1].split("\n### ", 1)[0]
    commands = re.findall(r"^systemctl (stop|start) ((?:.*\\\n)*.*)$", section, re.M)
    timers = {path.name for path in (DEPLOY / "systemd").glob("*.timer")}
    assert len(commands) == 4, commands  # the upgrade's stop and start, the way back's
    for verb, names in commands:
        named = set(re.findall(r"stafettlogg[\w-]*\.timer", names))
        assert named == timers, (verb, sorted(timers - named))
        assert "stafettlogg.service" in names


def test_backup_keeps_the_newest_and_never_a_half_written_file(tmp_path, app):
    runner = app.test_cli_runner()
    folder = tmp_path / "backups"
    folder.mkdir()
    for stamp in ("20250101-000000", "20250102-000000", "20250103-000000"):
        (folder / f"stafettlogg-{stamp}.bak").write_bytes(b"old")
    (folder / "notes.txt").write_text("not a backup")
    result = runner.invoke(args=["backup", "--keep", "2", str(folder)])
    assert result.exit_code == 0, result.output
    kept = sorted(p.name for p in folder.iterdir())
    assert kept[0] == "notes.txt" and len(kept) == 3
    assert kept[1] == "stafettlogg-20250103-000000.bak" and kept[2].startswith("stafettlogg-2")
    assert not list(folder.glob("*.partial"))


def test_backup_refuses_a_negative_keep_and_deletes_nothing(tmp_path, app):
    """`--keep -1` once deleted the oldest backup on every run (a slice from the end)."""
    folder = tmp_path / "backups"
    folder.mkdir()
    old = [folder / f"stafettlogg-2025010{day}-000000.bak" for day in (1, 2)]
    for path in old:
        path.write_bytes(b"old")
    result = app.test_cli_runner().invoke(args=["backup", "--keep", "-1", str(folder)])
    assert result.exit_code == 2 and "--keep" in result.output
    assert sorted(folder.iterdir()) == old


# ------------------------------------------------------------------ nginx in front of gunicorn


def _certificate(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(
        [
            _require("openssl"),
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _nginx_config(tmp_path: Path, http_port: int, https_port: int, app_port: int, cert: Path, key: Path) -> Path:
    site = (DEPLOY / "nginx/stafettlogg.conf").read_text()
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "/etc/ssl/stafettlogg/fullchain.pem": str(cert),
        "/etc/ssl/stafettlogg/privkey.pem": str(key),
        "/opt/stafettlogg/static/": f"{ROOT}/static/",
        "/var/log/nginx/stafettlogg.access.log": str(tmp_path / "access.log"),
        "/var/www/letsencrypt": str(tmp_path),
    }
    for installed, here in replacements.items():
        assert installed in site, f"deploy/nginx/stafettlogg.conf no longer has {installed!r}"
        site = site.replace(installed, here)
    (tmp_path / "site.conf").write_text(site)
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / folder).mkdir()
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"""{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {DEPLOY}/nginx/log-format.conf;
    include {tmp_path}/site.conf;
}}
"""
    )
    return main


def _wait_for(port: int, path: str = "/healthz", timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"nothing answered on port {port}")


@pytest.fixture
def proxied(database_url, tmp_path):
    """gunicorn (deploy/gunicorn.conf.py) behind nginx (deploy/nginx/stafettlogg.conf)."""
    nginx = _require("nginx")
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        SECRET_KEY="deploy-test",
        TRUSTED_PROXIES="1",
        HTTPS="1",
        GUNICORN_BIND=f"127.0.0.1:{app_port}",
        GUNICORN_WORKERS="2",
    )
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(DEPLOY / "gunicorn.conf.py"), "tests.proxy_probe:app"],
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / "gunicorn-access.log").open("wb"),
        stderr=subprocess.PIPE,
    )
    cert, key = _certificate(tmp_path)
    config = _nginx_config(tmp_path, http_port, https_port, app_port, cert, key)
    check = subprocess.run([nginx, "-t", "-c", str(config), "-p", str(tmp_path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proxy = subprocess.Popen([nginx, "-c", str(config), "-p", str(tmp_path), "-g", "daemon off;"])
    try:
        _wait_for(app_port)
        context = ssl.create_default_context(cafile=str(cert))
        yield {"https_port": https_port, "http_port": http_port, "context": context, "logs": tmp_path}
    finally:
        proxy.terminate()
        proxy.wait(10)
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(30)


def _https(proxied, method, path, body=None, headers=None):
    conn = http.client.HTTPSConnection(
        "127.0.0.1", proxied["https_port"], context=proxied["context"], timeout=30, source_address=(CLIENT, 0)
    )
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    return response, response.read()


def test_nginx_passes_client_address_and_https_to_the_app(proxied, database_url):
    deadline = time.monotonic() + 15
    while True:  # nginx may need a moment to listen
        try:
            response, body = _https(proxied, "GET", "/_probe", headers={"X-Forwarded-For": "203.0.113.9"})
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    seen = json.loads(body)
    # the spoofed X-Forwarded-For is replaced by nginx, not believed
    assert seen == {
        "remote_addr": CLIENT,
        "scheme": "https",
        "is_secure": True,
        "host": f"127.0.0.1:{proxied['https_port']}",
    }

    # a real page over HTTPS: HSTS, a Secure session cookie, CSRF accepted over HTTPS
    response, body = _https(proxied, "GET", "/login")
    assert response.status == 200
    assert response.getheader("Strict-Transport-Security", "").startswith("max-age=")
    cookie = response.getheader("Set-Cookie")
    assert "Secure" in cookie and "HttpOnly" in cookie
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode({"csrf_token": token, "username": "stafettholder", "password": "feil-passord-123"})
    response, body = _https(
        proxied,
        "POST",
        "/login",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie.split(";", 1)[0],
            "Referer": f"https://127.0.0.1:{proxied['https_port']}/login",
        },
    )
    assert response.status == 422 and b"Feil brukernavn eller passord" in body, body[:300]
    # the login limit counts the browser's address, not nginx's
    from stafettlogg.db import open_database

    conn = open_database(database_url)
    keys = {row[0] for row in conn.execute_sql("SELECT key FROM login_failure").fetchall()}
    conn.close()
    assert f"ip:{CLIENT}" in keys and "ip:127.0.0.1" not in keys

    # static files straight from nginx
    response, _body = _https(proxied, "GET", "/static/css/app.css")
    assert response.status == 200 and response.getheader("Content-Type", "").startswith("text/css")

    # neither access log keeps a query string, the request's or the referring page's:
    # a search for a child's name stays out of the journal
    search = "/ke?q=Emma+Hansen&etter=2026-01-01_3"
    response, _body = _https(proxied, "GET", search, headers={"Referer": f"https://127.0.0.1{search}"})
    assert response.status in (302, 303)
    deadline = time.monotonic() + 10
    logs = proxied["logs"]
    while time.monotonic() < deadline and not all(
        "/ke " in (logs / name).read_text() for name in ("access.log", "gunicorn-access.log")
    ):
        time.sleep(0.05)  # each writes its line after the response
    for name in ("access.log", "gunicorn-access.log"):
        text = (logs / name).read_text()
        assert "/ke " in text and "Emma" not in text and "etter" not in text, (name, text)


def test_nginx_redirects_http_and_limits_upload_size(proxied):
    conn = http.client.HTTPConnection("127.0.0.1", proxied["http_port"], timeout=10)
    conn.request("GET", "/logger/1?x=1")
    response = conn.getresponse()
    assert response.status == 301 and response.getheader("Location") == "https://127.0.0.1/logger/1?x=1"

    # a little over the app's limit: the app's own clear message
    response, body = _https(
        proxied, "POST", "/login", body=b"x" * (10 * 1024 * 1024 + 200 * 1024), headers={"Content-Type": "text/plain"}
    )
    assert response.status == 413 and b"Filen er for stor" in body
    # far over: nginx refuses before the app reads it
    response, body = _https(proxied, "POST", "/login", body=b"x" * (12 * 1024 * 1024))
    assert response.status == 413 and b"nginx" in body
