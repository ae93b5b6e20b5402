"""``flask klarsprak``: the plain-language checker on a file or standard input.

Prints one JSON object per hint, then one with the LIX score. Needs no app context.
"""

from __future__ import annotations

import json

import click

from stafettlogg.console import argument, command, option
from stafettlogg.klarsprak import FORMS, check, lix
from stafettlogg.messages import msg


@command(
    "klarsprak",
    help=msg("Sjekker en tekst mot klarspråksreglene. Hvert råd og LIX-tallet skrives som en JSON-linje."),
)
@option("--form", type=click.Choice(FORMS), default="nb", help=msg("Målform: nb eller nn (standard: nb)."))
@option(
    "--known-name",
    "known_names",
    multiple=True,
    help=msg("Fullt navn på barnet, en foresatt eller en deltaker (kan gjentas)."),
)
@argument("file", type=click.File("r", encoding="utf-8"), help=msg("Teksten, eller - for standard inn."))
def klarsprak_command(form: str, known_names: tuple[str, ...], file) -> None:
    """Check FILE (or - for standard input) against the plain-language rules, as JSON lines."""
    text = file.read()
    for hint in check(text, form=form, known_names=known_names):
        click.echo(json.dumps(hint.as_dict(), ensure_ascii=False))
    score, band = lix(text, form=form)
    click.echo(json.dumps({"lix": score, "band": band}, ensure_ascii=False))
