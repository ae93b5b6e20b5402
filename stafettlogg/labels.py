"""Norwegian labels for the code's enumerations (UI text through gettext)."""

from stafettlogg.i18n import lazy_gettext as _l
from stafettlogg.models import YOUTH_RELATION, MeasureStatus

UNIT_KINDS = {
    "barnehage": _l("Barnehage"),
    "skole": _l("Skole"),
    "helsestasjon": _l("Helsestasjon og skolehelsetjeneste"),
    "ppt": _l("PPT (pedagogisk-psykologisk tjeneste)"),
    "barnevern": _l("Barnevern"),
    "fysio_ergo": _l("Fysio- og ergoterapi"),
    "miljotjenesten": _l("Miljøtjenesten"),
    "kultur_fritid": _l("Kultur og fritid"),
    "annet": _l("Annet"),
}

LOG_STATUSES = {
    "draft": _l("Venter på samtykke"),
    "active": _l("Aktiv"),
    "closed": _l("Avsluttet"),
    "passive": _l("Passiv"),
}

# A log's state as the pages name it: its stored status, or "Venter på nytt samtykke" for
# an active log whose consent has a gap (derived, logs/states.py WAITING). Templates show it
# with state_badge(log_state(log)), never from the stored status.
LOG_STATES = {
    **LOG_STATUSES,
    "waiting_for_consent": _l("Venter på nytt samtykke"),
}

ROLES = {
    "admin": _l("Systemansvarlig"),
    "area_leader": _l("Områdeleder"),
    "unit_leader": _l("Enhetsleder"),
    "staff": _l("Ansatt"),
    "coordinating_unit": _l("Koordinerende enhet"),
    "guardian": _l("Foresatt"),
    "holder": _l("Stafettholder"),
    "proposed_holder": _l("Ny stafettholder"),  # took over or accepted a handover (states.ROLES)
    "participant": _l("Deltaker"),
    "system": _l("Systemet"),
}

SUBJECT_KINDS = {"barn": _l("Barn"), "ungdom": _l("Ungdom"), "gravid": _l("Gravid"), "familie": _l("Familie")}

MEASURE_STATUSES = {
    MeasureStatus.PLANNED: _l("Planlagt"),
    MeasureStatus.ONGOING: _l("Pågår"),
    MeasureStatus.ENDED: _l("Avsluttet"),
}

# Seed 002: how often an adult talks with the child between meetings, in days.
TALK_FREQUENCIES = {7: _l("Hver uke"), 14: _l("Annenhver uke"), 21: _l("Hver tredje uke"), 30: _l("Hver måned")}

TALK_AGREEMENT_STATUSES = {"ongoing": _l("Pågår"), "ended": _l("Avsluttet")}

EVALUATION_DECISIONS = {"continue": _l("Fortsette"), "adjust": _l("Justere"), "end": _l("Avslutte")}

# What the family reads about an evaluation: a sentence, not the staff's short label.
EVALUATION_OUTCOMES = {
    "continue": _l("Tiltaket fortsetter."),
    "adjust": _l("Tiltaket blir endret."),
    "end": _l("Tiltaket avsluttes."),
}

MEETING_KINDS = {
    "samarbeidsmote": _l("Samarbeidsmøte"),
    "evalueringsmote": _l("Evalueringsmøte"),
    "avklaringsmote": _l("Avklaringsmøte"),
}

LEVELS = {
    1: _l("Nivå 1 – tiltak i egen tjeneste"),
    2: _l("Nivå 2 – samarbeid med én annen tjeneste"),
    3: _l("Nivå 3 – tverrfaglig samarbeid"),
}

RELATIONS = {
    "mor": _l("Mor"),
    "far": _l("Far"),
    "foresatt": _l("Foresatt"),
    "verge": _l("Verge"),
    "fosterforelder": _l("Fosterforelder"),
    "annet": _l("Annet"),
}
# Every relation a guardian row may have, as pages name it: the form's (RELATIONS, all
# it offers) and the youth's own access (guardians.domain.add_youth)
RELATION_LABELS = {**RELATIONS, YOUTH_RELATION: _l("Ungdom")}


def label(mapping: dict, key) -> str:
    value = mapping.get(key)
    return str(value) if value is not None else str(key or "")


def options(mapping: dict) -> list[tuple]:
    return [(key, str(text)) for key, text in mapping.items()]


# Where a log's invitations and minutes are kept (the log's header, the unit overview)
RECORD_LOCATIONS = {
    "stafettlogg": _l("I Stafettlogg"),
    "visma": _l("Visma"),
    "egne_arkiv": _l("Eget arkivsystem (private skoler og barnehager)"),
    "dips_samspill": _l("DIPS Samspill"),
    "helsejournal": _l("Helsejournal på helsestasjonen (papir)"),
    "pasientjournal": _l("Pasientjournal (papir)"),
    "papir": _l("Papir"),
}
