"""A section's add form, empty (no values, no errors), is the same on every log but for
the log's id in its URLs and the log's own options (its concerns, people, agreements):
its fields are rendered once per language and options, kept by the app, and the log's id
put in on each page. The CSRF token and anything else per person stay outside."""

from collections import OrderedDict

from flask import current_app, g, request, url_for
from flask_babel import get_locale
from jinja2 import pass_context
from markupsafe import Markup

from stafettlogg.logs.sections import choices
from stafettlogg.web import PLACEHOLDER

KEPT = 500  # forms kept per app: languages × sections × distinct option lists in use
FIELDS = "logs/_form_fields.html"


def _kept() -> OrderedDict:
    return current_app.extensions.setdefault("blank_section_fields", OrderedDict())


def _prefixes(log_id: int) -> tuple[str, str]:
    """The log's URLs all start with its page's URL: (this log's, the kept forms'), built
    once per request, not once per section."""
    kept = g.setdefault("log_url_prefixes", {})
    if log_id not in kept:
        kept[log_id] = (url_for("logs.show", log_id=log_id) + "/", url_for("logs.show", log_id=PLACEHOLDER) + "/")
    return kept[log_id]


@pass_context
def blank_fields(context, section, log) -> Markup:
    """logs/_form_fields.html's section_fields with no values and no errors. The template
    module (imported with the page's context, as `{% from … with context %}` does) is made
    only when the form is not kept yet, not on every page and section."""
    options = tuple(tuple(choices(f.choices, log)) for f in section.fields if f.kind in ("select", "checkboxes"))
    key = (str(get_locale()), request.script_root, section.key, options)
    here, there = _prefixes(log.id)
    kept = _kept()
    html = kept.get(key)
    if html is None:
        fields = context.environment.get_template(FIELDS, context.name).make_module(context.get_all(), True)
        html = fields.section_fields(section, log, {}, {}, f"new-{section.key}").replace(here, there)  # stays Markup
        kept[key] = html
        while len(kept) > KEPT:
            kept.popitem(last=False)
    return html.replace(there, here)
