"""The per-item controls of a section list (byline, Endre, Slett), prepared once per list:
the URLs are built once with a placeholder id and filled in per item, the CSRF token, the
labels and the caller's right to change items are resolved once, so a long list does not
repeat identical work per item."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from stafettlogg.logs import states
from stafettlogg.logs.sections import may_change_each, may_evaluate_each

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
    item_name: str
    writable: bool  # the log takes writes now (its state is active)
    changeable: Callable[[object], bool]  # sections.may_change_each
    evaluable: Callable[[object], bool] | None = None  # measures: sections.may_evaluate_each
    evaluate_template: str = ""

    def edit_url(self, item_id: int) -> str:
        return _fill(self.edit_template, item_id)

    def delete_url(self, item_id: int) -> str:
        return _fill(self.delete_template, item_id)

    def evaluate_url(self, item_id: int) -> str:
        return _fill(self.evaluate_template, item_id)

    def may_evaluate(self, measure) -> bool:
        """Evaluer tiltaket on this measure: the log takes writes now and the person may evaluate it."""
        return self.writable and self.evaluable is not None and self.evaluable(measure)

    def may_change(self, item) -> bool:
        """Endre and Slett on this item: the log takes writes now and the person may change it."""
        return self.writable and self.changeable(item)


def item_controls(section, log) -> ItemControls:
    user = current_user._get_current_object()
    measures = section.key == "measures"
    return ItemControls(
        edit_template=url_for("logs.item_edit", log_id=log.id, key=section.key, item_id=PLACEHOLDER),
        delete_template=url_for("logs.item_delete", log_id=log.id, key=section.key, item_id=PLACEHOLDER),
        csrf=generate_csrf(),
        edit_label=_("Endre"),
        delete_label=_("Slett"),
        confirm_delete=_("Vil du slette dette? Det kan ikke angres."),
        changed_label=_("endret"),
        item_name=str(section.item_name),
        writable=states.state_of(log) == states.ACTIVE,
        changeable=may_change_each(user, log, section),
        evaluable=may_evaluate_each(user, log) if measures else None,
        evaluate_template=url_for("logs.evaluation_create", log_id=log.id, measure_id=PLACEHOLDER) if measures else "",
    )
