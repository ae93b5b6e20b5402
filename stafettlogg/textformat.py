"""Markdown rendered safely: nh3 keeps only harmless tags, no script, event handler,
style or javascript: URL survives.

Text is rendered once, when it is saved: each model lists its Markdown fields in
``RENDERED_TEXT`` (models.py), and the HTML is stored next to the source in a column
named ``<field>_html``. Reads show the stored HTML and never call Markdown; when these
rules change, ``flask rerender-text`` renders every stored text again."""

import threading

import markdown
import nh3
from markupsafe import Markup

from stafettlogg.db import write_transaction

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}

# One Markdown instance for the process, reset between texts (building one costs more
# than converting a short text); the lock keeps a threaded server safe.
_converter = markdown.Markdown(extensions=["sane_lists", "nl2br"], output_format="html")
_lock = threading.Lock()


def html_column(field_name: str) -> str:
    """The column that stores the rendered HTML of a Markdown field."""
    return f"{field_name}_html"


def render_markdown(text: str | None) -> Markup:
    with _lock:
        html = _converter.reset().convert(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


def rerender_stored_text(models, batch: int = 500) -> dict[str, int]:
    """Render every stored Markdown text of these models (models.rendered_text_models())
    again with the current rules; write only rows whose HTML changed, a batch per
    transaction. Returns changed rows per table."""
    changed = {}
    for model in models:
        sources = [model._meta.fields[name] for name in model.rendered_text]
        targets = [model._meta.fields[html_column(name)] for name in model.rendered_text]
        count, last_id = 0, 0
        while True:
            rows = list(
                model.select(model.id, *sources, *targets)
                .where(model.id > last_id)
                .order_by(model.id)
                .limit(batch)
                .tuples()
            )
            if not rows:
                break
            last_id = rows[-1][0]
            width = len(sources)
            with write_transaction():
                for row in rows:
                    fresh = [str(render_markdown(text)) for text in row[1 : 1 + width]]
                    if fresh != [stored or "" for stored in row[1 + width :]]:
                        model.update(dict(zip(targets, fresh, strict=True))).where(model.id == row[0]).execute()
                        count += 1
        changed[model._meta.table_name] = count
    return changed
