"""The `flask …` commands speak the operator's language: STAFETTLOGG_LANG, else LC_ALL,
LC_MESSAGES, LANG (the first that is set); bokmål, nynorsk or English, anything else
(C, POSIX, a language without command texts) bokmål."""

import pytest

pytestmark = pytest.mark.db

# env= of CliRunner.invoke: None takes the variable away for the command
NO_LOCALE = {"STAFETTLOGG_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": None}


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({}, "nb"),
        ({"LANG": "C.UTF-8"}, "nb"),
        ({"LANG": "POSIX"}, "nb"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "nn_NO.UTF-8"}, "nn"),
        ({"LANG": "no_NO.UTF-8"}, "nb"),
        ({"LANG": "pl_PL.UTF-8"}, "nb"),  # a family language, but no command texts in it
        ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "nn_NO.UTF-8"}, "nn"),
        ({"LC_MESSAGES": "nn_NO.UTF-8", "LC_ALL": "C"}, "nb"),  # LC_ALL decides, as for any program
        ({"LANG": "en_US.UTF-8", "LC_ALL": ""}, "en"),  # set but empty: not set
        ({"LC_ALL": "en_US.UTF-8", "STAFETTLOGG_LANG": "nn"}, "nn"),
        ({"LANG": "nn_NO.UTF-8", "STAFETTLOGG_LANG": "de"}, "nb"),
    ],
)
def test_the_operators_language_is_read_from_the_environment(environ, language):
    from stafettlogg.console import operator_language  # here: the other tests run on any code

    assert operator_language(environ) == language


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({"STAFETTLOGG_LANG": "nb"}, "Ingen påminnelser: avstemmingen skjer i juni."),
        ({"STAFETTLOGG_LANG": "nn"}, "Ingen påminningar: avstemminga skjer i juni."),
        ({"STAFETTLOGG_LANG": "en"}, "No reminders: the reconciliation takes place in June."),
        ({**NO_LOCALE, "LANG": "nn_NO.UTF-8"}, "Ingen påminningar: avstemminga skjer i juni."),
        ({**NO_LOCALE, "LANG": "C.UTF-8"}, "Ingen påminnelser: avstemmingen skjer i juni."),
    ],
)
def test_a_command_speaks_the_operators_language(app, env, said):
    r = app.test_cli_runner().invoke(args=["june-reminders", "--today", "2026-01-05"], env=env)
    assert r.exit_code == 0, r.output
    assert r.output.strip() == said


def test_a_refusal_is_in_the_operators_language(app):
    runner = app.test_cli_runner()
    r = runner.invoke(args=["second-factor-reset", "ingen.slik"], env={"STAFETTLOGG_LANG": "nn"})
    assert r.exit_code == 1
    assert "Feil: Fann ingen brukar med brukarnamnet ingen.slik." in r.output
    r = runner.invoke(args=["second-factor-reset", "ingen.slik"], env={"STAFETTLOGG_LANG": "en"})
    assert r.exit_code == 1
    assert "Error: Found no user with the username ingen.slik." in r.output
    r = runner.invoke(args=["june-reminders", "--today", "5.1.2026"], env={"STAFETTLOGG_LANG": "en"})
    assert r.exit_code == 2 and "Error: --today must be a date in the form YYYY-MM-DD." in r.output
    r = runner.invoke(args=["archive", "999999", "--out", "x.zip"], env={"STAFETTLOGG_LANG": "nn"})
    assert r.exit_code == 1 and r.output.strip() == "Feil: Stafettlogg nr. 999999 finst ikkje."


def test_the_rules_refusal_of_a_password_is_in_the_operators_language(app):
    """password_problem() is the web form's gettext text: made in the operator's language."""
    runner = app.test_cli_runner()
    r = runner.invoke(args=["create-admin", "ny.admin"], env={"STAFETTLOGG_PASSWORD": "kort", "STAFETTLOGG_LANG": "en"})
    assert r.exit_code == 1 and "Error: The password must have at least 12 characters." in r.output
    r = runner.invoke(args=["create-admin", "ny.admin"], env={"STAFETTLOGG_PASSWORD": "kort", "STAFETTLOGG_LANG": "nn"})
    assert r.exit_code == 1 and "Feil: Passordet må ha minst 12 teikn." in r.output
    ok = runner.invoke(
        args=["create-admin", "ny.admin"],
        env={"STAFETTLOGG_PASSWORD": "Et godt langt passord", "STAFETTLOGG_LANG": "en"},
    )
    assert ok.exit_code == 0 and "System administrator ny.admin has been created." in ok.output


def test_what_a_command_makes_for_others_keeps_its_own_language(app, monkeypatch):
    """The operator's English is for the operator: a page or notice a command renders
    (in the request it makes, as `flask archive` does) is still bokmål."""
    from stafettlogg.console import say
    from stafettlogg.i18n import gettext
    from stafettlogg.messages import msg

    monkeypatch.setenv("STAFETTLOGG_LANG", "en")
    with app.app_context():
        assert say(msg("Skjemaet er oppdatert.")) == "The schema is up to date."
        with app.test_request_context():
            assert gettext("Skjemaet er oppdatert.") == "Skjemaet er oppdatert."


def test_the_password_is_asked_for_in_the_operators_language(app):
    runner = app.test_cli_runner()
    password = "Et godt langt passord"
    r = runner.invoke(
        args=["create-admin", "ny.admin"],
        input=f"{password}\n{password}\n",
        env={"STAFETTLOGG_PASSWORD": None, "STAFETTLOGG_LANG": "en"},
    )
    assert r.exit_code == 0, r.output
    assert "Password: " in r.output and "Repeat the password: " in r.output
    r = runner.invoke(
        args=["create-admin", "en.til"], input=f"{password}\n{password}\n", env={"STAFETTLOGG_PASSWORD": None}
    )
    assert r.exit_code == 0 and "Passord: " in r.output and "Gjenta passordet: " in r.output


def test_a_rule_broken_while_creating_is_refused_in_the_operators_language(app):
    r = app.test_cli_runner().invoke(
        args=["bootstrap-area", "Oppvekst", "ny.leder", "--name", "Ny Leder"],
        env={"STAFETTLOGG_PASSWORD": "Et godt langt passord", "STAFETTLOGG_LANG": "nn"},
    )
    assert r.exit_code == 1 and "Feil: Det finst allereie eit område med dette namnet." in r.output


def test_a_refused_restore_says_why_in_the_operators_language(app, tmp_path):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    r = app.test_cli_runner().invoke(args=["restore", "--yes", str(bad)], env={"STAFETTLOGG_LANG": "en"})
    assert r.exit_code == 1 and "Error: The file is not a readable backup: " in r.output, r.output
    r = app.test_cli_runner().invoke(args=["restore", "--yes", str(bad)], env={"STAFETTLOGG_LANG": "nn"})
    assert r.exit_code == 1 and "Feil: Fila er ikkje ein lesbar tryggleikskopi: " in r.output, r.output


def test_a_broken_invariant_is_reported_in_the_operators_language(app):
    from stafettlogg.db import db
    from stafettlogg.models import Log, User

    with db.connection_context():
        held = Log.select().where(Log.status == "active").first()
        User.update(active=False).where(User.id == held.holder_id).execute()
    runner = app.test_cli_runner()
    said = {
        "nb": f"logg {held.id}: stafettholderen (bruker {held.holder_id}) er deaktivert",
        "nn": f"logg {held.id}: stafetthaldaren (brukar {held.holder_id}) er deaktivert",
        "en": f"log {held.id}: the holder (user {held.holder_id}) is deactivated",
    }
    for language, line in said.items():
        r = runner.invoke(args=["check-invariants"], env={"STAFETTLOGG_LANG": language})
        assert r.exit_code == 1 and line in r.output.splitlines(), (language, r.output)
