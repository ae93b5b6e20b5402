"""Reading the create-log form: subject, guardians, level, first concern."""

import datetime as dt

from stafettlogg.access import consent_age, of_consent_age
from stafettlogg.dates import local_today
from stafettlogg.i18n import gettext as _
from stafettlogg.logs.domain import guardian_problem
from stafettlogg.logs.national_id import national_id_problem
from stafettlogg.logs.sections import parse_date
from stafettlogg.models import SubjectKind, Unit
from stafettlogg.windows import row_id

MAX_GUARDIANS = 4


def consents_alone(birth_date: dt.date | None, day: dt.date | None = None) -> bool:
    """seed 001: a youth who has reached the consent age (16 by default) consents alone,
    so their log needs no guardian."""
    return of_consent_age(birth_date, day)


def optional_date(form, name: str, errors: dict, message: str) -> dt.date | None:
    """A date the form may leave empty; one that cannot be read is `message` under `name`."""
    if not form.get(name):
        return None
    try:
        return parse_date(form[name])
    except ValueError:
        errors[name] = message
        return None


def parse_create_form(form, user) -> tuple[dict, dict]:
    """Clean values and Norwegian errors. Guardians come as guardian-N-name etc."""
    errors: dict[str, str] = {}
    data: dict = {}
    data["kind"] = form.get("kind", "barn")
    if data["kind"] not in SubjectKind.CHOICES:
        errors["kind"] = _("Velg hvem loggen gjelder.")
    data["name"] = form.get("name", "").strip()
    if not data["name"]:
        errors["name"] = _("Skriv navnet på barnet, ungdommen eller den loggen gjelder.")
    data["birth_date"] = None
    raw_birth = form.get("birth_date", "").strip()
    if raw_birth:
        try:
            data["birth_date"] = parse_date(raw_birth)  # the years any date typed may have
        except ValueError:
            errors["birth_date"] = _("Skriv fødselsdatoen som dd.mm.åååå.")
        else:
            if data["birth_date"] > local_today():
                errors["birth_date"] = _("Fødselsdatoen kan ikke være fram i tid.")
    elif data["kind"] != "gravid":
        errors["birth_date"] = _("Skriv fødselsdatoen.")
    data["national_id"] = form.get("national_id", "").replace(" ", "") or None
    if data["national_id"] and "birth_date" not in errors:
        problem = national_id_problem(data["national_id"], data["birth_date"])
        if problem:
            errors["national_id"] = problem
    chosen = str(form.get("unit_id") or "").strip()
    unit_id = row_id(chosen) if chosen else user.unit_id  # none chosen: the holder's own unit
    data["unit"] = Unit.get_or_none(id=unit_id) if unit_id is not None else None
    if data["unit"] is None:
        errors["unit_id"] = _("Velg enheten.")
    data["class_group"] = form.get("class_group", "").strip()[:100]
    try:
        data["level"] = int(form.get("level", ""))
        if data["level"] not in (1, 2, 3):
            raise ValueError
    except ValueError:
        errors["level"] = _("Velg BTI-nivå 1, 2 eller 3.")
    data["concern_title"] = form.get("concern_title", "").strip()
    if not data["concern_title"]:
        errors["concern_title"] = _("Skriv hva dere er oppmerksomme på.")
    elif len(data["concern_title"]) > 300:
        errors["concern_title"] = _("Oppmerksomheten kan ha høyst 300 tegn. Skriv mer i beskrivelsen.")
    data["concern_body"] = form.get("concern_body", "").strip()
    guardians = []
    for i in range(1, MAX_GUARDIANS + 1):
        g = {k: form.get(f"guardian-{i}-{k}", "").strip() for k in ("name", "relation", "phone", "email")}
        if not any(g.values()) or (not g["name"] and not g["phone"] and not g["email"]):
            continue
        problem = guardian_problem(g)
        if problem:
            errors[f"guardian-{i}-{problem[1]}"] = problem[0]
        guardians.append(g)
    # a log with no guardian is consented to by the one it is about, who must be of the
    # consent age (logs.domain.upload_consent): else its consent could never be given
    if not guardians and not consents_alone(data["birth_date"]) and "guardian-1-name" not in errors:
        if data["birth_date"] is None and "birth_date" not in errors:  # a pregnant woman's: optional
            errors["birth_date"] = _(
                "Skriv fødselsdatoen til den loggen gjelder: hun gir samtykket selv når hun har fylt %(age)s år. Er hun yngre, skriv minst én foresatt.",
                age=consent_age(),
            )
        elif data["birth_date"] is not None:
            errors["guardian-1-name"] = _(
                "Skriv minst én foresatt. Bare ungdom som har fylt %(age)s år, kan samtykke alene og ha en logg uten foresatte.",
                age=consent_age(),
            )
    data["guardians"] = guardians
    return data, errors
