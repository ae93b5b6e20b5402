"""``flask klarsprak``: the plain-language checker on a file or standard input.

Prints one JSON object per hint, then one with the LIX score. Needs no app context.
"""

from __future__ import annotations

import json

import click

from stafettlogg.klarsprak import FORMS, check, lix


@click.command("klarsprak")
@click.option("--form", type=click.Choice(FORMS), default="nb", show_default=True, help="Language form: nb or nn.")
@click.option(
    "--known-name",
    "known_names",
    multiple=True,
    help="Full name of the child, a guardian or a participant (repeatable).",
)
@click.argument("file", type=click.File("r", encoding="utf-8"))
def klarsprak_command(form: str, known_names: tuple[str, ...], file) -> None:
    """Check FILE (or - for standard input) against the plain-language rules, as JSON lines."""
    text = file.read()
    for hint in check(text, form=form, known_names=known_names):
        click.echo(json.dumps(hint.as_dict(), ensure_ascii=False))
    score, band = lix(text, form=form)
    click.echo(json.dumps({"lix": score, "band": band}, ensure_ascii=False))
