"""The per-item controls of a section list (byline, Endre, Slett), prepared once per list:
the URLs are built once with a placeholder id and filled in per item, the CSRF token and
the labels are resolved once, so a long list does not repeat identical work per item."""

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

PLACEHOLDER = 2_000_000_001  # an id no URL is built with; replaced by each item's id


def _fill(template: str, item_id: int) -> str:
    head, _sep, tail = template.rpartition(str(PLACEHOLDER))
    return f"{head}{item_id}{tail}"


@dataclass(frozen=True)
class ItemControls:
    edit_template: str
    delete_template: str
    csrf: str
    edit_label: str
    delete_label: str
    confirm_delete: str
    changed_label: str

    def edit_url(self, item_id: int) -> str:
        return _fill(self.edit_template, item_id)

    def delete_url(self, item_id: int) -> str:
        return _fill(self.delete_template, item_id)


def item_controls(section, log) -> ItemControls:
    return ItemControls(
        edit_template=url_for("logs.item_edit", log_id=log.id, key=section.key, item_id=PLACEHOLDER),
        delete_template=url_for("logs.item_delete", log_id=log.id, key=section.key, item_id=PLACEHOLDER),
        csrf=generate_csrf(),
        edit_label=_("Endre"),
        delete_label=_("Slett"),
        confirm_delete=_("Vil du slette dette? Det kan ikke angres."),
        changed_label=_("endret"),
    )
