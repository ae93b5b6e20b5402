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


def _said(runner, args, language) -> str:
    """What `flask ARGS` shows, its lines wrapped as they may be joined again."""
    r = runner.invoke(args=args, env={"STAFETTLOGG_LANG": language})
    assert r.exit_code == 0, r.output
    return " ".join(r.output.split())


@pytest.mark.parametrize(
    ("language", "lines"),
    [
        ("nb", ["migrate Oppdaterer databaseskjemaet.", "seed-demo Fyller en tom database med demokommunen."]),
        ("nn", ["migrate Oppdaterer databaseskjemaet.", "seed-demo Fyller ein tom database med demokommunen."]),
        (
            "en",
            ["migrate Updates the database schema.", "seed-demo Fills an empty database with the demo municipality."],
        ),
    ],
)
def test_flask_help_lists_the_commands_in_the_operators_language(app, language, lines):
    said = _said(app.test_cli_runner(), ["--help"], language)
    for line in lines:
        assert line in said, (line, said)


HELP = {
    ("backup", "--help"): {
        "nb": [
            "Tar sikkerhetskopi av databasen mens den er i bruk. Migrerer aldri;",
            "TARGET En fil, eller en mappe for daterte sikkerhetskopier.",
            "--keep INTEGER RANGE TARGET er en mappe: behold bare de N nyeste sikkerhetskopiene i den.",
            "--help Vis denne hjelpeteksten og avslutt.",
        ],
        "nn": [
            "Tek tryggleikskopi av databasen medan han er i bruk. Migrerer aldri;",
            "TARGET Ei fil, eller ei mappe for daterte tryggleikskopiar.",
            "--keep INTEGER RANGE TARGET er ei mappe: behald berre dei N nyaste tryggleikskopiane i henne.",
            "--help Vis denne hjelpeteksten og avslutt.",
        ],
        "en": [
            "Backs up the database while it is in use. Never migrates;",
            "TARGET A file, or a folder for dated backups.",
            "--keep INTEGER RANGE TARGET is a folder: keep only the newest N backups in it.",
            "--help Show this message and exit.",
        ],
    },
    ("bootstrap-area", "--help"): {
        "nb": ["USERNAME Områdelederens brukernavn.", "--name TEXT Områdelederens fulle navn. [nødvendig]"],
        "nn": [
            "USERNAME Brukarnamnet til områdeleiaren.",
            "--name TEXT Det fulle namnet til områdeleiaren. [naudsynt]",
        ],
        "en": ["USERNAME The area leader's username.", "--name TEXT The area leader's full name. [required]"],
    },
    ("klarsprak", "--help"): {
        "nb": ["--form [nb|nn] Målform: nb eller nn (standard: nb).", "FILE Teksten, eller - for standard inn."],
        "nn": ["--known-name TEXT Fullt namn på barnet, ein føresett eller ein deltakar (kan gjentakast)."],
        "en": ["--form [nb|nn] Language form: nb or nn (default: nb).", "FILE The text, or - for standard input."],
    },
}


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
@pytest.mark.parametrize("args", list(HELP))
def test_a_commands_help_is_in_the_operators_language(app, args, language):
    """Shown in the language of the showing, not of the import (the tests run nb, nn and
    en in one process, as a web process imports the commands once)."""
    said = _said(app.test_cli_runner(), list(args), language)
    for line in HELP[args][language]:
        assert line in said, (line, said)


def test_every_command_option_and_argument_has_a_translated_help(app, monkeypatch):
    """Every help text of our commands (and of their --help) has its English: a msg(),
    said in the operator's language when it is read."""
    import click

    said = {}
    for language in ("nb", "en"):
        monkeypatch.setenv("STAFETTLOGG_LANG", language)
        said[language] = {
            (name, param): text
            for name, command in app.cli.commands.items()
            for param, text in [
                ("", command.help),
                *((p.name, p.help) for p in command.get_params(click.Context(command))),
            ]
        }
    untranslated = [where for where, text in said["nb"].items() if not text or text == said["en"][where]]
    assert not untranslated, untranslated


@pytest.mark.parametrize(
    "make",
    [
        lambda console: console.command("x", help="A literal"),
        lambda console: console.command("x"),  # the docstring: for developers, in English
        lambda console: console.option("--x", help="A literal"),
        lambda console: console.argument("x"),
    ],
)
def test_a_help_that_is_no_msg_is_refused_when_the_command_is_made(make):
    """Guard: a help the operator could not read in their language stops the import."""
    from stafettlogg import console

    def run():
        """Run."""

    with pytest.raises(TypeError):
        make(console)(run)


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_commands_help_uses_no_word_the_klarsprak_list_calls_old_fashioned(app, language):
    """The operator's texts (every command's --help, click's own words such as «[required]»
    included) pass the klarspråk word list of old-fashioned words (gammeldagse_ord): the
    help said «påkrevd», which the list asks to be «nødvendig»."""
    from stafettlogg.klarsprak import check

    runner = app.test_cli_runner()
    found = {
        name: [h.text for h in check(_said(runner, [name, "--help"], language), form=language)
               if h.rule == "old_fashioned"]
        for name in app.cli.commands
    }  # fmt: skip
    assert not {name: words for name, words in found.items() if words}
