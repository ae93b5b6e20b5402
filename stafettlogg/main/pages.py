"""The staff start page as a whole page: its own route shows it, and a form on it that is
refused (logs.guardians_informed) shows it again with what was typed and why."""

from flask import request
from flask_login import current_user

from stafettlogg import audit
from stafettlogg.access import consent_age
from stafettlogg.logs import queries
from stafettlogg.web import is_htmx, page_or_fragment


def staff_start_page(status: int = 200, **refused):
    """Mine stafettlogger and the to-dos; also shown again, with `refused` (what was typed
    and why it was refused), by a form on the page that is refused."""
    after = request.args.get("etter")
    # htmx asks for the next window of my logs to append in place of "Vis flere"
    context = queries.start_page(current_user, after, window_only=bool(after) and is_htmx())
    only_items = bool(context["window"].cursor) and is_htmx()
    response = page_or_fragment(
        "main/_log_list.html",
        "main/index.html",
        status,
        only_items=only_items,
        consent_age=consent_age(),
        **context,
        **refused,
    )
    if "due" in context:  # the to-dos show what each measure is, who talks with the child
        # after rendering: a write forgets what the request has read (db.write_transaction);
        # before the response leaves: if the events cannot be written, nothing is shown
        audit.record_reads("view:main.index", queries.start_page_reads(current_user, context))
    return response
