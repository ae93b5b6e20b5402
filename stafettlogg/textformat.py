"""Markdown rendered safely: nh3 keeps only harmless tags, no script, event handler,
style or javascript: URL survives.

Text is rendered once, when it is saved: each model lists its Markdown fields in
``RENDERED_TEXT`` (models.py), and the HTML is stored next to the source in a column
named ``<field>_html``. Reads show the stored HTML and never call Markdown; when these
rules change, ``flask rerender-text`` renders every stored text again."""

import functools
import threading
from html import escape

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
def _new_converter() -> markdown.Markdown:
    return markdown.Markdown(extensions=["sane_lists", "nl2br"], output_format="html")


_converter = _new_converter()
_lock = threading.Lock()


def html_column(field_name: str) -> str:
    """The column that stores the rendered HTML of a Markdown field."""
    return f"{field_name}_html"


# Python-Markdown's inline patterns take quadratic time on some input (unclosed «[», a run
# of «<»: 4,000 «[» take 4 s, 20,000 a minute; upstream Python-Markdown#798). A text with
# more of them than a person writes has them escaped: it shows the same characters, only
# no link or inline HTML is made of them. Deep nesting (500 «- ») overflows the stack:
# that text is shown as written, paragraph by paragraph.
MARKUP_CHARACTERS_RENDERED = 100


def _defused(text: str) -> str:
    if text.count("[") > MARKUP_CHARACTERS_RENDERED:
        text = text.replace("[", "\\[")
    if text.count("<") > MARKUP_CHARACTERS_RENDERED:
        text = text.replace("<", "&lt;")
    return text


def _as_written(text: str) -> str:
    """The text as paragraphs of escaped lines, for input Markdown cannot take."""
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "\n".join("<p>" + "<br>\n".join(escape(line) for line in p.split("\n")) + "</p>" for p in paragraphs)


@functools.lru_cache(maxsize=256)
def render_markdown(text: str | None) -> Markup:
    """Markdown as sanitised HTML. Kept for the latest texts: a write renders its text
    before its transaction (prerender), so the write itself finds it rendered and holds
    the database's write lock for no rendering."""
    global _converter  # noqa: PLW0603 - the one converter of the process, replaced when a text broke it
    text = text or ""
    with _lock:
        try:
            html = _converter.reset().convert(_defused(text))
        except RecursionError:
            # a text nested deeper than the stack: shown as written; the converter it broke
            # (its state half-way) is replaced, or every later text would render wrongly
            _converter = _new_converter()
            html = _as_written(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


def prerender(model, values: dict) -> None:
    """Render the Markdown fields of `values` for `model` now, before the write
    transaction: rendering never holds the write lock (render_markdown keeps the result,
    and the model's write finds it)."""
    for name in getattr(model, "rendered_text", ()):
        value = values.get(name)
        if isinstance(value, str):
            render_markdown(value)


def rerender_stored_text(models, batch: int = 500) -> dict[str, int]:
    """Render every stored Markdown text of these models (models.rendered_text_models())
    again with the current rules; write only rows whose HTML changed, a batch per
    transaction. Returns changed rows per table."""
    render_markdown.cache_clear()  # rendered again with the rules as they are now
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
