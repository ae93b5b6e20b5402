"""The per-item controls of a section list (byline, Endre, Slett), prepared once per list:
the URLs are built once with a placeholder id and filled in per item, the CSRF token, the
labels and the caller's right to change items are resolved once, and the Endre/Slett
markup (logs/_item_actions.html) is rendered once per list and given each item's URLs, so
a long list does not repeat identical work per item."""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import get_template_attribute
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from stafettlogg.dates import date_formats, date_time
from stafettlogg.i18n import gettext as _
from stafettlogg.logs import states
from stafettlogg.logs.sections import may_change_each, may_evaluate_each
from stafettlogg.web import urls_by_id

# where an item's Endre and Slett URLs go in the markup rendered once per list: characters
# that neither a URL, a label nor a CSRF token contains, and that escaping leaves alone
EDIT_SLOT, DELETE_SLOT = "\x01", "\x02"


# The per-item URLs a list builds: endpoint -> the name of its item's id, and whether it
# names the section
ITEM_URLS = {
    "logs.item_edit": ("item_id", True),
    "logs.item_delete": ("item_id", True),
    "logs.evaluation_create": ("measure_id", False),
    "meetings.show": ("meeting_id", False),
    "meetings.readaloud": ("meeting_id", False),
}


@dataclass(frozen=True)
class ItemControls:
    log_id: int
    section_key: str
    csrf: str
    edit_label: str
    delete_label: str
    confirm_delete: str
    changed_label: str
    item_name: str
    writable: bool  # the log takes writes now (its state is active)
    changeable: Callable[[object], bool]  # sections.may_change_each
    evaluable: Callable[[object], bool] | None = None  # measures: sections.may_evaluate_each
    _urls: dict = field(default_factory=dict, compare=False, repr=False)

    def url(self, endpoint: str, item_id: int) -> str:
        """url_for(endpoint) for this item: built once per list with a placeholder id."""
        return self._url_of(endpoint)(item_id)

    def _url_of(self, endpoint: str):
        """The endpoint's URL as a function of the item's id (web.urls_by_id), made once per list."""
        urls = self._urls.get(endpoint)
        if urls is None:
            name, names_section = ITEM_URLS[endpoint]
            values = {"key": self.section_key} if names_section else {}
            urls = self._urls[endpoint] = urls_by_id(endpoint, name, log_id=self.log_id, **values)
        return urls

    def edit_url(self, item_id: int) -> str:
        return self.url("logs.item_edit", item_id)

    def delete_url(self, item_id: int) -> str:
        return self.url("logs.item_delete", item_id)

    def evaluate_url(self, item_id: int) -> str:
        return self.url("logs.evaluation_create", item_id)

    def may_evaluate(self, measure) -> bool:
        """Evaluer tiltaket on this measure: the log takes writes now and the person may evaluate it."""
        return self.writable and self.evaluable is not None and self.evaluable(measure)

    def may_change(self, item) -> bool:
        """Endre and Slett on this item: the log takes writes now and the person may change it."""
        return self.writable and self.changeable(item)

    def actions(self, items) -> dict[int, Markup]:
        """Item id -> its Endre and Slett controls, for the items the person may change, in
        one call per list: the markup is rendered once with slots for the URLs and each
        item gets a copy with its own, not a template run per item."""
        if not self.writable:
            return {}
        mine = [item.id for item in items if self.changeable(item)]
        if not mine:
            return {}
        markup = str(get_template_attribute("logs/_item_actions.html", "item_actions")(self, EDIT_SLOT, DELETE_SLOT))
        edit, delete = self._url_of("logs.item_edit"), self._url_of("logs.item_delete")
        return {
            item_id: Markup(  # noqa: S704 - rendered (escaped) by the template; the URLs are url_for's
                markup.replace(EDIT_SLOT, edit(item_id)).replace(DELETE_SLOT, delete(item_id))
            )
            for item_id in mine
        }

    def bylines(self, items) -> dict[int, Markup]:
        """Item id -> who wrote it and when (and when it was last changed), for a whole
        list in one call: each author's name escaped once, the date format resolved once,
        not a template call per item."""
        formats = date_formats()
        when = formats.date_time if formats is not None else date_time
        changed_label = self.changed_label
        authors: dict[int, str] = {}
        lines = {}
        for item in items:
            author = item.author
            who = authors.get(author.id)
            if who is None:
                who = authors[author.id] = (
                    f"{escape(author.name)}, {escape(author.job_title)}" if author.job_title else escape(author.name)
                )
            changed = (
                f" · {changed_label} {escape(when(item.updated_at))}" if item.updated_at and item.version > 1 else ""
            )
            lines[item.id] = Markup(  # noqa: S704 - escaped
                f'<p class="byline">{who} · {escape(when(item.created_at))}{changed}</p>'
            )
        return lines


def item_controls(section, log) -> ItemControls:
    user = current_user._get_current_object()
    return ItemControls(
        log_id=log.id,
        section_key=section.key,
        csrf=generate_csrf(),
        edit_label=_("Endre"),
        delete_label=_("Slett"),
        confirm_delete=_("Vil du slette dette? Det kan ikke angres."),
        changed_label=escape(_("endret")),
        item_name=str(section.item_name),
        writable=states.state_of(log) == states.ACTIVE,
        changeable=may_change_each(user, log, section),
        evaluable=may_evaluate_each(user, log) if section.key == "measures" else None,
    )
