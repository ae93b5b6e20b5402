"""Settings from the environment (stafettlogg/config.py): a value the app cannot work
with stops it at start with a message that names the setting, never later and quietly."""

import pytest

from stafettlogg.application import create_app
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
        ("ARCHIVE_FAILED_KEPT_DAYS", "-1"),
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


def test_smtp_security_is_one_of_the_three_or_the_app_does_not_start(monkeypatch, tmp_path):
    """A typo («tls», «STARTLS») once meant no encryption at all: the password and every
    message went over the network in clear."""
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("SMTP_SECURITY", " STARTTLS ")
    assert from_environment(tmp_path)["SMTP_SECURITY"] == "starttls"
    monkeypatch.setenv("SMTP_SECURITY", "tls")
    with pytest.raises(ValueError, match=r"^SMTP_SECURITY må være starttls, ssl eller none, ikke «tls»"):
        from_environment(tmp_path)


def test_e_mail_links_never_lead_to_localhost_or_plain_http_by_mistake(monkeypatch, tmp_path):
    """Finding: with a mail server set and PUBLIC_URL forgotten, every link in every e-mail
    (a family's invitation too) led to 127.0.0.1. The app does not start then, nor with
    HTTPS=1 and an http address; without mail the demo's default stands."""
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    monkeypatch.delenv("HTTPS", raising=False)
    monkeypatch.delenv("SMTP_HOST", raising=False)
    assert from_environment(tmp_path)["PUBLIC_URL"] == "http://127.0.0.1:5000"
    monkeypatch.setenv("SMTP_HOST", "smtp.kommune.no")
    with pytest.raises(ValueError, match=r"^PUBLIC_URL må settes når SMTP_HOST er satt"):
        from_environment(tmp_path)
    monkeypatch.setenv("PUBLIC_URL", "https://stafettlogg.kommune.no/")
    monkeypatch.setenv("HTTPS", "1")
    assert from_environment(tmp_path)["PUBLIC_URL"] == "https://stafettlogg.kommune.no"
    monkeypatch.setenv("PUBLIC_URL", "http://stafettlogg.kommune.no")
    with pytest.raises(ValueError, match=r"^PUBLIC_URL må begynne med https:// når HTTPS=1"):
        from_environment(tmp_path)


def test_the_mailer_never_falls_back_to_plain_text_on_an_unknown_security():
    from email.message import EmailMessage

    from stafettlogg import mailer
    from tests.smtp import SmtpServer

    server = SmtpServer()
    server.set_mode("accept")
    try:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "a@example.no", "b@example.no", "Hei"
        message.set_content("Hei")
        config = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": server.port, "SMTP_TIMEOUT": 1, "SMTP_SECURITY": "tls"}
        with pytest.raises(ValueError, match="SMTP_SECURITY"):
            mailer.smtp_send(message, config)
        assert server.messages == [] and server.connections == 0
    finally:
        server.close()


def test_a_required_staff_sign_in_level_is_read_as_a_list_and_is_off_by_default(monkeypatch, tmp_path):
    """STAFF_OIDC_ACR_VALUES and STAFF_OIDC_AMR_VALUES (README "Staff sign-in"): values apart
    by spaces, as OpenID Connect writes acr_values, or commas; unset, nothing is required."""
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.delenv("STAFF_OIDC_ACR_VALUES", raising=False)
    monkeypatch.setenv("STAFF_OIDC_AMR_VALUES", " ")
    config = from_environment(tmp_path)
    assert (config["STAFF_OIDC_ACR_VALUES"], config["STAFF_OIDC_AMR_VALUES"]) == ((), ())
    monkeypatch.setenv("STAFF_OIDC_ACR_VALUES", "urn:mace:feide.no:auth:level:fad08:3  phr")
    monkeypatch.setenv("STAFF_OIDC_AMR_VALUES", "mfa, otp,hwk")
    config = from_environment(tmp_path)
    assert config["STAFF_OIDC_ACR_VALUES"] == ("urn:mace:feide.no:auth:level:fad08:3", "phr")
    assert config["STAFF_OIDC_AMR_VALUES"] == ("mfa", "otp", "hwk")


@pytest.mark.parametrize("value", ["pwd", "mfa pwd", "otp,pin", "kba"])
def test_a_method_a_password_alone_satisfies_is_never_the_required_second_factor(monkeypatch, tmp_path, value):
    """`amr` `pwd` (or a PIN, or a known answer) is in every password-only sign-in's token:
    listed in STAFF_OIDC_AMR_VALUES, it would let them all through. The app does not start."""
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("STAFF_OIDC_AMR_VALUES", value)
    with pytest.raises(ValueError, match=r"^STAFF_OIDC_AMR_VALUES kan ikke ha «(pwd|pin|kba)».*bare passord"):
        from_environment(tmp_path)


def test_second_factor_roles_name_staff_roles_or_all_or_the_app_does_not_start(monkeypatch, tmp_path):
    """SECOND_FACTOR_ROLES (README "A second factor for staff"): a misspelt role would
    quietly leave it signing in with a password alone; families are no staff role."""
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.delenv("SECOND_FACTOR_ROLES", raising=False)
    assert from_environment(tmp_path)["SECOND_FACTOR_ROLES"] == frozenset()  # the admin and area leaders only
    monkeypatch.setenv("SECOND_FACTOR_ROLES", "unit_leader, staff")
    assert from_environment(tmp_path)["SECOND_FACTOR_ROLES"] == {"unit_leader", "staff"}
    monkeypatch.setenv("SECOND_FACTOR_ROLES", "all")
    assert from_environment(tmp_path)["SECOND_FACTOR_ROLES"] == {
        "admin",
        "area_leader",
        "unit_leader",
        "staff",
        "coordinating_unit",
    }
    for wrong in ("holder", "guardian", "Staff"):
        monkeypatch.setenv("SECOND_FACTOR_ROLES", f"unit_leader {wrong}")
        with pytest.raises(ValueError, match=rf"^SECOND_FACTOR_ROLES kan ha all eller rollene .*ikke «{wrong}»"):
            from_environment(tmp_path)
    with pytest.raises(ValueError, match=r"^SECOND_FACTOR_ROLES"):  # create_app reads it first of all
        create_app({"TESTING": True})
