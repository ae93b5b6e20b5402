"""What the `flask …` commands tell the operator, in the operator's language.

The language is the operator's environment: ``STAFETTLOGG_LANG`` if set, else the first
of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set (POSIX precedence). Only bokmål,
nynorsk and English count (operators may be IT staff who read English); anything else,
``C`` and ``POSIX`` included, means bokmål. The texts are ``msg()`` keys, rendered as a
notice is for its reader (stafettlogg/messages.py); a rule's refusal made with gettext
(a weak password) is made under ``operator_locale()``. Only what the operator reads
follows their language: documents and e-mails a command makes keep their own.
Their ``--help`` too: every command, option and argument is made with ``command``,
``option`` and ``argument`` below, whose ``help=`` is a ``msg()``.
"""

import os
import re
import sys
from collections.abc import Mapping
from contextlib import contextmanager
from typing import NoReturn

import click
from flask_babel import force_locale
from flask_babel.speaklater import LazyString

from stafettlogg.languages import DEFAULT, STAFF_LANGUAGES
from stafettlogg.messages import Join, Message, msg

LANGUAGES = (*STAFF_LANGUAGES, "en")
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
# a locale name's language ("nn_NO.UTF-8" -> "nn"); "no" is the older name of bokmål
_LANGUAGE = re.compile(r"[a-zA-Z]+")
_ALIASES = {"no": "nb"}


def _language_of(value: str) -> str:
    found = _LANGUAGE.match(value.strip())
    code = found.group(0).lower() if found else ""
    code = _ALIASES.get(code, code)
    return code if code in LANGUAGES else DEFAULT


def operator_language(environ: Mapping[str, str] | None = None) -> str:
    """STAFETTLOGG_LANG, else LC_ALL, LC_MESSAGES, LANG (the first that is set decides,
    as for any program); a language we have no command texts in, C and POSIX: bokmål."""
    environ = os.environ if environ is None else environ
    for name in ("STAFETTLOGG_LANG", *LOCALE_VARIABLES):
        if environ.get(name, "").strip():
            return _language_of(environ[name])
    return DEFAULT


def say(text: Message | Join) -> str:
    """The text in the operator's language."""
    return text.render(operator_language())


def said_when_shown(text: Message) -> LazyString:
    """A text click keeps from the command's definition (a prompt), said in the
    operator's language when it is shown."""
    return LazyString(say, text)


class _HelpSaidWhenShown:
    """help= is a msg(), required, and said in the operator's language each time it is
    read (by --help, by shell completion). click would otherwise render an option's help
    once, when the option is made at import: a web process, or a test that sets
    STAFETTLOGG_LANG, would keep the first language; and it wants a str, not a LazyString."""

    def __init__(self, *args, help: Message, **kwargs):
        if not isinstance(help, Message):
            made = args[0] if args else kwargs.get("name")  # an option's names, a command's name
            raise TypeError(f"the help of {made!r} is a msg(), said in the operator's language, not {help!r}")
        self.help_text = help
        super().__init__(*args, **kwargs)

    @property
    def help(self) -> str:
        return say(self.help_text)

    @help.setter
    def help(self, given_to_click) -> None:
        """click's __init__ sets the help it was not given (None): the text is help_text."""


class OperatorOption(_HelpSaidWhenShown, click.Option):
    def get_help_extra(self, ctx):
        extra = super().get_help_extra(ctx)
        if "required" in extra:  # click's own word, after the help
            extra["required"] = say(msg("nødvendig"))
        return extra


class OperatorArgument(_HelpSaidWhenShown, click.Argument):
    pass


class OperatorCommand(_HelpSaidWhenShown, click.Command):
    """A `flask …` command: its help (the first sentence is its line in `flask --help`)
    and its --help option in the operator's language; its docstring is for developers."""

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)  # made once, asked for each time help is shown
        if option is not None:
            option.help = say(msg("Vis denne hjelpeteksten og avslutt."))
        return option


def command(name: str, **attrs):
    """@click.command with help= a msg()."""
    return click.command(name, cls=OperatorCommand, **attrs)


def option(*param_decls: str, **attrs):
    """@click.option with help= a msg()."""
    return click.option(*param_decls, cls=OperatorOption, **attrs)


def argument(*param_decls: str, **attrs):
    """@click.argument with help= a msg()."""
    return click.argument(*param_decls, cls=OperatorArgument, **attrs)


@contextmanager
def operator_locale():
    """gettext() in the operator's language: a rule's refusal shown at the command line
    (needs the app context the `flask` commands run in)."""
    with force_locale(operator_language()):
        yield


def fail(problem: Message | str, code: int = 1) -> NoReturn:
    """Tell the operator what is wrong, on standard error, and stop with `code`."""
    click.echo(say(msg("Feil: %(problem)s", problem=problem)), err=True)
    sys.exit(code)
