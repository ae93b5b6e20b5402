"""Settings from the environment (stafettlogg/config.py): a value the app cannot work
with stops it at start with a message that names the setting, never later and quietly."""

import pytest

from stafettlogg.config import from_environment


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MAIL_RETRY_SECONDS", "-60"),  # every failed e-mail due again at once: given up on within the minute
        ("MAIL_RETRY_SECONDS", "0"),
        ("MAIL_MAX_ATTEMPTS", "0"),
        ("SMTP_TIMEOUT", "0"),  # a non-blocking socket: no e-mail ever leaves
        ("SMTP_TIMEOUT", "-1"),
        ("MAIL_KEPT_DAYS", "-1"),
        ("ARCHIVE_RETRY_SECONDS", "-1"),
        ("ARCHIVE_MAX_ATTEMPTS", "0"),
        ("PAGE_SIZE", "0"),
        ("MAX_UPLOAD_MB", "0"),
        ("PAGE_SIZE", "femti"),
    ],
)
def test_a_setting_the_app_cannot_work_with_is_refused_by_name(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=rf"^{name} må være et helt tall.*«{value}»"):
        from_environment(tmp_path)


def test_sensible_settings_are_read_as_numbers(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x")
    for name, value in (("MAIL_RETRY_SECONDS", "30"), ("MAIL_MAX_ATTEMPTS", "1"), ("TRUSTED_PROXIES", "0")):
        monkeypatch.setenv(name, value)
    config = from_environment(tmp_path)
    assert (config["MAIL_RETRY_SECONDS"], config["MAIL_MAX_ATTEMPTS"], config["TRUSTED_PROXIES"]) == (30, 1, 0)
