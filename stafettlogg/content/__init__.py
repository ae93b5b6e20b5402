"""Texts a municipality adapts without code: the decision guide, the consent form, the
close reasons and the municipality's contact text.

Each is a TOML file named `<kind>.<language>.toml`. The package holds the defaults (this
folder); a file with the same name in the instance folder's `content/` replaces one of
them. Overrides are read once at start-up: a malformed one is reported in the log with
its file and line, and the default stays in use, so a typo never breaks the guide.
"""

import functools
import logging
import re
import tomllib
from pathlib import Path

from flask import current_app, has_app_context, has_request_context
from flask_babel import get_locale

from stafettlogg.access import consent_age
from stafettlogg.guide.domain import check
from stafettlogg.languages import FAMILY_LANGUAGES
from stafettlogg.logs.lifecycle import CLOSE_REASONS

DEFAULTS = Path(__file__).resolve().parent
KINDS = ("guide", "consent", "close_reasons", "contact")
FALLBACK = "nb"
log = logging.getLogger("stafettlogg.content")


class ContentError(ValueError):
    """A content file that cannot be used; `key` names where, for the line number."""

    def __init__(self, message: str, key: str = ""):
        super().__init__(message)
        self.key = key


# ------------------------------------------------------------------ what each kind must hold


def _strings(data: dict, keys: tuple[str, ...]) -> None:
    for key in keys:
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ContentError(f"«{key}» must be a text", key)


def _lists(data: dict, keys: tuple[str, ...]) -> None:
    for key in keys:
        value = data.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise ContentError(f"«{key}» must be a list of texts", key)


def check_guide(data: dict) -> None:
    for key in ("start", "questions", "results", "services", "agreement"):
        if key not in data:
            raise ContentError(f"«{key}» is missing", key)
    try:
        check(data)
    except (KeyError, TypeError) as e:
        raise ContentError(f"a question, result, service or the agreement lacks {e}", str(e).strip("'")) from e
    except ValueError as e:
        raise ContentError(str(e), str(e).rsplit(" ", 1)[-1]) from e


def check_consent(data: dict) -> None:
    _strings(
        data,
        (
            "title",
            "intro",
            "who_heading",
            "services_heading",
            "services_intro",
            "other",
            "agree_heading",
            "know_heading",
            "marking",
            "print_label",
        ),
    )
    _lists(data, ("who_fields", "agree", "know", "sign_fields"))


def check_close_reasons(data: dict) -> None:
    for key, value in data.items():
        if key not in CLOSE_REASONS:
            raise ContentError(f"unknown close reason «{key}» (known: {', '.join(CLOSE_REASONS)})", key)
        if not isinstance(value, str) or not value.strip():
            raise ContentError(f"«{key}» must be a text", key)
    for key in CLOSE_REASONS:
        if key not in data:
            raise ContentError(f"close reason «{key}» is missing", "")


def check_contact(data: dict) -> None:
    _strings(data, ("heading", "text"))


CHECKS = {
    "guide": check_guide,
    "consent": check_consent,
    "close_reasons": check_close_reasons,
    "contact": check_contact,
}


# ------------------------------------------------------------------ reading


def _line_of(text: str, key: str) -> int:
    """The first line that mentions the key (TOML gives no positions after parsing)."""
    if key:
        for number, line in enumerate(text.splitlines(), start=1):
            if re.search(rf"(^|[\s.\[\"']){re.escape(key)}([\s.\]\"'=]|$)", line):
                return number
    return 1


def read(path: Path, kind: str) -> dict:
    """Parse and check one file; ContentError names the line."""
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        found = re.search(r"line (\d+)", str(e))
        raise ContentError(f"line {found.group(1) if found else 1}: {e}") from e
    try:
        CHECKS[kind](data)
    except ContentError as e:
        raise ContentError(f"line {_line_of(text, e.key)}: {e}") from e
    return data


@functools.cache
def default(kind: str, language: str) -> dict | None:
    path = DEFAULTS / f"{kind}.{language}.toml"
    return read(path, kind) if path.exists() else None


def load_overrides(folder: Path) -> tuple[dict, list[str]]:
    """(kind, language) -> data for each usable override, and one message per bad file."""
    found, problems = {}, []
    if not folder.is_dir():
        return found, problems
    for path in sorted(folder.glob("*.toml")):
        kind, _, language = path.stem.partition(".")
        if kind not in KINDS or language not in FAMILY_LANGUAGES:
            problems.append(f"{path}: not used: name it <kind>.<language>.toml, kind one of {', '.join(KINDS)}")
            continue
        try:
            found[(kind, language)] = read(path, kind)
        except (ContentError, OSError, UnicodeDecodeError) as e:
            problems.append(f"{path}: {e} – the default text is used instead")
    return found, problems


def init_app(app) -> None:
    folder = Path(app.config.get("CONTENT_FOLDER") or Path(app.instance_path) / "content")
    overrides, problems = load_overrides(folder)
    for problem in problems:
        app.logger.error("Content override: %s", problem)
    app.extensions["content"] = {"overrides": overrides, "problems": problems, "folder": folder}


def current_language() -> str:
    if has_request_context():
        return str(get_locale() or FALLBACK)
    return FALLBACK


def get(kind: str, language: str | None = None) -> dict:
    """The municipality's text in the language, else the package's, else bokmål."""
    language = language or current_language()
    overrides = current_app.extensions["content"]["overrides"] if has_app_context() else {}
    for lang in dict.fromkeys((language, FALLBACK)):
        if (kind, lang) in overrides:
            return overrides[(kind, lang)]
        data = default(kind, lang)
        if data is not None:
            return data
    raise LookupError(kind)


def consent_form(language: str | None = None) -> dict:
    """The consent form's texts, with the age from which a young person consents
    themselves (``%(age)s``, the municipality's CONSENT_AGE) filled in."""
    age = str(consent_age())

    def filled(value):
        if isinstance(value, str):
            return value.replace("%(age)s", age)
        if isinstance(value, list):
            return [filled(item) for item in value]
        return value

    return {key: filled(value) for key, value in get("consent", language).items()}


def close_reasons(language: str | None = None) -> dict[str, str]:
    return dict(get("close_reasons", language))


def close_reason(key: str, language: str | None = None) -> str:
    return close_reasons(language).get(key, "") if key else ""
