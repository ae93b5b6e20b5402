"""The log's sections (concerns, highlights, goals, measures, meetings, entries) as
data: fields, who may write, and one set of create/update/delete rules for all."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from stafettlogg import audit, labels
from stafettlogg.access import role_on_log
from stafettlogg.dates import DATETIME_LOCAL, SkippedTime, format_date, format_datetime, from_local, local_today
from stafettlogg.db import once_per_request
from stafettlogg.i18n import gettext as _
from stafettlogg.i18n import isolated, right_to_left
from stafettlogg.i18n import lazy_gettext as _l
from stafettlogg.logs.domain import LogError, ensure_writable, writing_to
from stafettlogg.meetings import invitees
from stafettlogg.models import (
    ChildTalk,
    ChildTalkAgreement,
    Concern,
    Entry,
    Evaluation,
    Goal,
    Highlight,
    Log,
    Measure,
    MeasureStatus,
    Meeting,
    User,
    utcnow,
)
from stafettlogg.textformat import prerender
from stafettlogg.windows import row_id


@dataclass(frozen=True)
class Field:
    name: str
    label: object
    kind: str = "text"  # text, textarea, date, datetime, select, checkboxes (stored apart: TICKED)
    required: bool = False
    max_length: int = 5000
    hint: object = None
    choices: str | None = None  # name of a choices provider below


@dataclass(frozen=True)
class Section:
    key: str
    model: type
    title: object
    item_name: object
    add_label: object
    fields: tuple
    empty_text: object = ""
    # participants write too and change what they wrote themselves; the holder changes all
    shared: bool = False
    order: tuple = field(default_factory=tuple)
    markdown: bool = True
    # reloaded when something else in the log changes (it shows or offers other sections' rows)
    refresh_on_change: bool = False
    # a section that grows with the log's age comes in windows (windows.py), newest first
    # by this date or time and the id; the others are listed whole
    window_by: str | None = None

    @property
    def creators(self) -> tuple:
        return ("holder", "participant") if self.shared else ("holder",)

    @property
    def participant_edits_own(self) -> bool:
        return self.shared


# Each section: its model, its title, what one item is called, and its add button.
NAMES = {
    "concerns": (Concern, _l("Oppmerksomhet"), _l("oppmerksomhet"), _l("Legg til oppmerksomhet")),
    "highlights": (Highlight, _l("Lysglimt"), _l("lysglimt"), _l("Legg til lysglimt")),
    "goals": (Goal, _l("Mål"), _l("mål"), _l("Legg til mål")),
    "measures": (Measure, _l("Tiltak"), _l("tiltak"), _l("Legg til tiltak")),
    "meetings": (Meeting, _l("Møter"), _l("møte"), _l("Planlegg møte")),
    "entries": (Entry, _l("Logg"), _l("notat"), _l("Skriv notat")),
    "talk_agreements": (
        ChildTalkAgreement,
        _l("Avtale om samtale med barnet"),
        _l("avtale om samtale"),
        _l("Avtal samtale med barnet"),
    ),
    "talks": (ChildTalk, _l("Samtaler med barnet"), _l("samtale"), _l("Skriv ned en samtale")),
}

# The hint under a field, by section and field.
HINTS = {
    ("concerns", "title"): _l("Kort og konkret, for eksempel «Emma trives ikke i friminuttene»"),
    ("highlights", "body"): _l("Et kort notat om noe som gikk bra"),
    ("goals", "body"): _l("Hva ønsker barnet og familien skal bli annerledes?"),
    ("measures", "responsible"): _l(
        "Stillingstittel, navn eller familierelasjon, for eksempel «kontaktlærer Kari Ottesen» eller «mor»"
    ),
    ("measures", "responsible_user"): _l("Velg personen hvis hen skal evaluere tiltaket i loggen"),
    ("meetings", "invitees"): _l("Fjern krysset for dem i loggen som ikke skal inviteres."),
    ("meetings", "invited"): _l("For eksempel tolk eller andre utenfor loggen. Én per linje"),
    ("meetings", "minutes"): _l("Skrives i møtet, gjerne på delt skjerm"),
    ("talk_agreements", "adult"): _l("Navn og stilling, for eksempel «kontaktlærer Kari Ottesen»"),
    ("talk_agreements", "adult_user"): _l("Velg personen hvis hen skal få påminnelse om samtalene"),
    ("talk_agreements", "how"): _l("For eksempel «en prat på vei til gymtimen, uten andre til stede»"),
    ("talks", "how_it_goes"): _l("Skriv det barnet sa, for eksempel «Det er bedre i friminuttene nå, jeg er med Ali»"),
}

SECTIONS: dict[str, Section] = {}
# the agenda and the minutes, here as in meeting mode (meetings.domain.MAX_TEXT)
MEETING_TEXT_MAX = 20000


def _register(key: str, fields: tuple, **options) -> Section:
    fields = tuple(replace(f, hint=HINTS.get((key, f.name))) for f in fields)
    SECTIONS[key] = Section(key, *NAMES[key], fields, **options)
    return SECTIONS[key]


_register(
    "concerns",
    (
        Field("title", _l("Hva er vi oppmerksomme på?"), required=True, max_length=300),
        Field("body", _l("Beskrivelse"), "textarea"),
    ),
    empty_text=_l("Skriv hva dere er oppmerksomme på. Mål og tiltak hører til en oppmerksomhet."),
)
_register(
    "highlights",
    (Field("body", _l("Hva gikk bra?"), "textarea", required=True, max_length=2000),),
    shared=True,
    empty_text=_l("Ingen lysglimt ennå. Skriv ned noe som gikk bra – det gir håp og retning."),
    window_by="created_at",
)
_register(
    "goals",
    (
        Field("concern", _l("Hører til oppmerksomhet"), "select", choices="concerns"),
        Field("body", _l("Mål"), "textarea", required=True, max_length=2000),
    ),
    empty_text=_l("Ingen mål ennå. Sett mål sammen med barnet og de foresatte."),
)
_register(
    "measures",
    (
        Field("concern", _l("Hører til oppmerksomhet"), "select", choices="concerns"),
        Field("what", _l("Hva skal gjøres?"), "textarea", required=True, max_length=2000),
        Field("responsible", _l("Hvem har ansvaret?"), required=True, max_length=200),
        Field("responsible_user", _l("Ansvarlig deltaker i loggen"), "select", choices="responsible_people"),
        Field("start_date", _l("Fra dato"), "date"),
        Field("evaluation_date", _l("Evalueres innen"), "date", required=True),
        Field("status", _l("Status"), "select", required=True, choices="measure_status"),
    ),
    empty_text=_l("Ingen tiltak ennå. Skriv hvem som gjør hva, fra når, og når tiltaket skal evalueres."),
    window_by="created_at",  # the ended ones; the current ones are listed whole before them (queries.py)
)
_register(
    "meetings",
    (
        Field("kind", _l("Type møte"), "select", required=True, choices="meeting_kinds"),
        Field("starts_at", _l("Tidspunkt"), "datetime", required=True),
        Field("place", _l("Sted eller Teams"), required=True, max_length=300),
        Field("invitees", _l("Hvem inviteres?"), "checkboxes", choices="invitees"),
        Field("invited", _l("Andre inviterte"), "textarea", max_length=2000),
        Field("agenda", _l("Dagsorden"), "textarea", max_length=MEETING_TEXT_MAX),
        Field("minutes", _l("Referat"), "textarea", max_length=MEETING_TEXT_MAX),
    ),
    empty_text=_l("Ingen møter ennå. Stafettholderen inviterer til samarbeidsmøte og evalueringsmøte."),
    window_by="starts_at",
)
_register(
    "entries",
    (
        Field("entry_date", _l("Dato"), "date", required=True),
        Field("body", _l("Tekst"), "textarea", required=True, max_length=10000),
    ),
    shared=True,
    empty_text=_l("Ingen notater ennå."),
    window_by="entry_date",
)
_register(
    "talk_agreements",
    (
        Field("adult", _l("Hvem snakker med barnet?"), required=True, max_length=200),
        Field("adult_user", _l("Personen i loggen"), "select", choices="people"),
        Field("every_days", _l("Hvor ofte?"), "select", required=True, choices="talk_frequencies"),
        Field("start_date", _l("Fra dato"), "date", required=True),
        Field("how", _l("Hvordan og hvor?"), "textarea", max_length=1000),
        Field("status", _l("Status"), "select", required=True, choices="talk_statuses"),
    ),
    empty_text=_l(
        "Ingen avtale ennå. Avtal hvem som snakker med barnet mellom møtene, og hvor ofte, så dere fanger opp hvordan det går."
    ),
    refresh_on_change=True,  # the next talk is due from the latest note
)
_register(
    "talks",
    (
        Field("agreement", _l("Etter avtalen"), "select", choices="talk_agreements"),
        Field("talked_on", _l("Dato"), "date", required=True),
        Field("who", _l("Hvem snakket med barnet?"), required=True, max_length=200),
        Field("how_it_goes", _l("Hvordan går det, med barnets egne ord?"), "textarea", required=True, max_length=2000),
    ),
    shared=True,
    empty_text=_l("Ingen samtaler skrevet ned ennå."),
    refresh_on_change=True,  # the note form offers the ongoing agreements
    window_by="talked_on",
)

MARKDOWN_FIELDS = {"body", "what", "agenda", "minutes", "invited", "how", "how_it_goes"}


# ------------------------------------------------------------------ choices

FOREIGN_KEY_CHOICES = ("concerns", "people", "responsible_people", "talk_agreements")  # choices that name another row


def _log_people(log: Log) -> list[User]:
    """The log's holder, then its participants in the order they joined (read once per
    request with the log page's participants)."""
    from stafettlogg.logs import queries  # cycle: queries reads SECTIONS from here

    participants = sorted(queries.participants(log), key=lambda p: p.id)
    return [log.holder, *(p.user for p in participants)]


def _person(user: User) -> str:
    return f"{user.name} ({user.job_title})" if user.job_title else user.name


def _holder_label(user: User) -> str:
    """The holder among others, all in one bracket: «Kari Ottesen (Kontaktlærer,
    stafettholder)». With the role after the bracket («…(Kontaktlærer), stafettholder»)
    a list of the invited read «stafettholder» as one more person."""
    if user.job_title:
        return _named(user.name, _("%(job)s, stafettholder", job=user.job_title))
    return _named(user.name, _("stafettholder"))


def _named(name: str, detail: str) -> str:
    """«Kari Ottesen (mor)» with the detail in the page's language. In a right-to-left
    page the name is a bidi isolate, so an Arabic detail («Mor Hansen (الأم)») sets the
    direction the whole is read in: the name first, then the bracket, also when a list of
    them wraps. Left to right: as written."""
    return f"{isolated({'name': name}, right_to_left())['name']} ({detail})"


def responsible_people(log: Log) -> list[User]:
    """Who may be named in a log's row («Ansvarlig deltaker» of a measure: they evaluate it
    and are reminded of it; «Personen i loggen» of a talk agreement: they are reminded of
    the talks): the log's holder and participants whose accounts are active. Someone who
    has left (deactivated) is offered to no one and refused in a POST; a row that already
    names them keeps them until someone chooses another (person_choices)."""
    return [u for u in _log_people(log) if u.active]


def invitee_choices(log: Log) -> list[tuple[str, str]]:
    """Whom a meeting may invite (meetings/invitees.py), by key: the holder and the
    participants whose accounts are active (responsible_people), then the guardians or
    the youth on the log. Read from the reads the log page and the meeting page make anyway."""
    from stafettlogg.logs import queries  # cycle: queries reads SECTIONS from here

    people = [
        (invitees.user_key(u.id), _holder_label(u) if u.id == log.holder_id else _person(u))
        for u in responsible_people(log)
    ]
    for guardian in queries.guardians(log):
        relation = labels.label(labels.RELATION_LABELS, guardian.relation).lower()
        people.append(
            (invitees.guardian_key(guardian.id), _named(guardian.name, relation) if relation else guardian.name)
        )
    return people


# the select fields that name one of responsible_people, and what refuses one who has left
PERSON_CHOICES = {
    "responsible_people": _l("%(name)s har sluttet og kan ikke få ansvar for tiltak. Velg en annen."),
    "people": _l("%(name)s har sluttet og kan ikke velges. Velg en annen."),
}


def person_choices(f: Field, log: Log, item=None) -> list[tuple]:
    """The options for a field that names a person: responsible_people, and on an existing
    row the person it names now if they are no longer one of them, marked (an edit keeps
    them unless someone chooses another, never drops them unseen)."""
    options = choices(f.choices, log)
    current = getattr(item, f"{f.name}_id", None) if item is not None else None
    if current is None or any(value == current for value, _text in options):
        return options
    person = User.get_or_none(User.id == current)
    if person is None:
        return options
    # the mark first: a narrow screen cuts a long option's end, and the mark must be read
    if person.active:
        text = _("Ikke lenger med i loggen: %(person)s", person=_person(person))
    else:
        text = _("Har sluttet: %(person)s", person=_person(person))
    return [*options, (person.id, text)]


def field_choices(f: Field, log: Log, item=None) -> list[tuple]:
    """The options a form offers for a select field, and the values its POST may name;
    `item` is the row being changed (None for a new one)."""
    if f.choices in PERSON_CHOICES:
        return person_choices(f, log, item)
    if f.choices == "talk_agreements":
        return agreement_choices(f, log, item)
    return choices(f.choices, log)


def agreement_choices(f: Field, log: Log, item=None) -> list[tuple]:
    """The ongoing talk agreements, and on a note written under one that has ended since,
    that one, marked: correcting an old note keeps the agreement it was written under
    (the next talk's due date and the archive read it), never drops it unseen."""
    from stafettlogg.logs import queries  # cycle: queries reads SECTIONS from here

    options = choices(f.choices, log)
    current = getattr(item, f"{f.name}_id", None) if item is not None else None
    if current is None or any(value == current for value, _text in options):
        return options
    ended = next((a for a in queries.section_items(log, "talk_agreements") if a.id == current), None)
    if ended is None:
        return options
    return [*options, (ended.id, _("Avsluttet avtale: %(adult)s", adult=ended.adult))]


def shown_value(f: Field, log: Log, item) -> str:
    """A stored field of ``item`` as a person reads it (another's save shown beside a
    conflicting edit): a choice's text, not its id or key; a date in Norwegian form."""
    if f.kind == "checkboxes":
        return ", ".join(text for _key, text in _ticked_choices(f, log, item))
    value = item.__data__.get(f.name)
    if value is None or value == "":
        return ""
    if f.kind == "select":
        return str(dict(field_choices(f, log, item)).get(value, ""))
    if f.kind == "date":
        return format_date(value)
    if f.kind == "datetime":
        return format_datetime(value)
    return str(value)


def _not_a_choice(f: Field, log: Log, raw: str) -> str:
    """Why a select's value was refused: a person in the log who has left is named (the
    writer sees the log's people anyway); anything else gets the general message."""
    if f.choices in PERSON_CHOICES:
        left = next((u for u in _log_people(log) if str(u.id) == raw and not u.active), None)
        if left is not None:
            return str(PERSON_CHOICES[f.choices]) % {"name": left.name}
    return _("Velg et av alternativene for «%(label)s».", label=f.label)


@once_per_request
def choices(provider: str, log: Log) -> list[tuple]:
    """The options of a select field. The log's own rows come from the reads the log page
    makes anyway (its sections and participants, once per request), not a query of their own."""
    from stafettlogg.logs import queries  # cycle: queries reads SECTIONS from here

    if provider == "concerns":
        return [(c.id, c.title) for c in queries.section_items(log, "concerns")]
    if provider in PERSON_CHOICES:
        return [(u.id, _person(u)) for u in responsible_people(log)]
    if provider == "invitees":
        return invitee_choices(log)
    if provider == "measure_status":
        return labels.options(labels.MEASURE_STATUSES)
    if provider == "meeting_kinds":
        return labels.options(labels.MEETING_KINDS)
    if provider == "talk_frequencies":
        return labels.options(labels.TALK_FREQUENCIES)
    if provider == "talk_statuses":
        return labels.options(labels.TALK_AGREEMENT_STATUSES)
    if provider == "talk_agreements":
        return [(a.id, a.adult) for a in queries.section_items(log, "talk_agreements") if a.status == "ongoing"]
    raise KeyError(provider)


# ------------------------------------------------------------------ validation


# The years a date typed into the app may have: a birth date, a meeting, a deadline, a
# talk. A browser's date field takes years 1 to 9999; a year typed wrong (0026, 2999) is
# asked about, not stored, and no stored date lies so near the calendar's end that a day
# counted from it (the next talk with the child, a meeting's end) leaves the calendar, or
# so near its start that Oslo's time has no UTC time.
FIRST_YEAR, LAST_YEAR = 1900, 2099


class YearOutOfRange(ValueError):
    """A date that parses, in a year outside FIRST_YEAR–LAST_YEAR."""


def year_message() -> str:
    return _("Sjekk årstallet: datoen må være mellom %(first)s og %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)


def _in_years(value, raw: str):
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise YearOutOfRange(raw)
    return value


def parse_date(value: str) -> dt.date | None:
    """dd.mm.åååå or åååå-mm-dd; ValueError for anything else, YearOutOfRange (a
    ValueError) for a year outside the years a date may have."""
    value = (value or "").strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            day = dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        return _in_years(day, value)
    raise ValueError(value)


def parse_datetime_local(value: str, stored: dt.datetime | None = None) -> dt.datetime:
    """A datetime-local value in Norwegian time, stored as naive UTC by dates.from_local
    (ValueError; YearOutOfRange, as parse_date; SkippedTime for a time the clocks skip).
    `stored`: the time already saved, kept when the form sends back what it showed."""
    wall = _in_years(dt.datetime.strptime(value.strip(), DATETIME_LOCAL), value)
    return from_local(wall, stored)


def skipped_time_message(error: SkippedTime) -> str:
    return _(
        "Klokkeslettet finnes ikke denne natten fordi klokka stilles fram fra %(start)s til %(end)s. "
        "Velg et annet klokkeslett.",
        start=error.start.strftime("%H:%M"),
        end=error.end.strftime("%H:%M"),
    )


def ticked(form, name: str) -> list[str] | None:
    """The values ticked in a field of checkboxes, or None when the form does not have the
    field (the form sends an empty value with the boxes, so none ticked is an empty list)."""
    if name not in form:
        return None
    values = form.getlist(name) if hasattr(form, "getlist") else form[name]
    values = [values] if isinstance(values, str) else list(values or ())
    return [value.strip() for value in values if value and value.strip()]


def _validate_ticked(f: Field, log: Log, form, clean: dict, errors: dict) -> None:
    """A field of checkboxes: only the log's people it offers, at least one of them; not
    in the form at all, None (meetings/invitees.py: everyone on the log)."""
    values = ticked(form, f.name)
    if values is None:
        clean[f.name] = None
        return
    offered = {str(key) for key, _text in choices(f.choices, log)}
    if any(value not in offered for value in values):
        errors[f.name] = _not_on_the_log(f)
    elif not values:
        errors[f.name] = _("Kryss av minst én under «%(label)s».", label=f.label)
    else:
        clean[f.name] = sorted(set(values))


def _not_on_the_log(f: Field) -> str:
    return _(
        "Noen av dem som er krysset av under «%(label)s», er ikke med i denne loggen. Kryss av blant personene i listen.",
        label=f.label,
    )


# Where a field of checkboxes keeps what is ticked, by the choices it offers: rows of its
# own (stored, write), and the rule for a row that has none stored (invites).
TICKED = {"invitees": invitees}


def _columns(section: Section, clean: dict) -> dict:
    """The values stored in the row itself: not a field of checkboxes (TICKED)."""
    ticked_names = {f.name for f in section.fields if f.kind == "checkboxes"}
    return {name: value for name, value in clean.items() if name not in ticked_names}


def _store_ticked(section: Section, item_id: int, clean: dict) -> None:
    """A field of checkboxes the form had: its rows become what was ticked (inside the write)."""
    for f in section.fields:
        if f.kind == "checkboxes" and clean.get(f.name) is not None:
            TICKED[f.choices].write(item_id, clean[f.name])


def _ticked_choices(f: Field, log: Log, item) -> list[tuple]:
    """Of the choices a field of checkboxes offers, those a row has ticked: those its rows
    name, or every one by the rule for a row without rows (TICKED)."""
    store = TICKED[f.choices]
    keys = store.stored([item.id]).get(item.id)
    return [(key, text) for key, text in choices(f.choices, log) if store.invites(keys, key)]


def ticked_values(section: Section, log: Log, item) -> dict[str, list[str]]:
    """What a row's checkboxes have ticked, for its edit form."""
    return {
        f.name: [key for key, _text in _ticked_choices(f, log, item)] for f in section.fields if f.kind == "checkboxes"
    }


def form_values(section: Section, form) -> dict:
    """A posted form as the values a form shown again is filled with: a field of
    checkboxes keeps every value ticked (a plain dict of the form keeps one)."""
    values = dict(form)
    for f in section.fields:
        if f.kind == "checkboxes" and (posted := ticked(form, f.name)) is not None:
            values[f.name] = posted
    return values


def validate(section: Section, log: Log, form, item=None) -> tuple[dict, dict]:
    """Clean values and Norwegian errors, field by field. Only the section's own
    fields are read: extra fields in a POST change nothing. `item`: the one being
    changed (None for a new one): its saved times a form sent back unchanged are kept
    (dates.from_local), and the people it already names may stay its choices."""
    clean, errors = {}, {}
    for f in section.fields:
        if f.kind == "checkboxes":
            _validate_ticked(f, log, form, clean, errors)
            continue
        raw = (form.get(f.name) or "").strip()
        if not raw:
            if f.required:
                errors[f.name] = _("Fyll ut «%(label)s».", label=f.label)
            clean[f.name] = None if f.kind in ("date", "datetime", "select") else ""
            continue
        if len(raw) > f.max_length:
            errors[f.name] = _("«%(label)s» kan ha høyst %(n)s tegn.", label=f.label, n=f.max_length)
            continue
        if f.kind == "date":
            try:
                clean[f.name] = parse_date(raw)
            except YearOutOfRange:
                errors[f.name] = year_message()
            except ValueError:
                errors[f.name] = _("Skriv datoen som dd.mm.åååå.")
        elif f.kind == "datetime":
            try:
                clean[f.name] = parse_datetime_local(raw, getattr(item, f.name, None))
            except YearOutOfRange:
                errors[f.name] = year_message()
            except SkippedTime as e:
                errors[f.name] = skipped_time_message(e)
            except ValueError:
                errors[f.name] = _("Velg dato og klokkeslett.")
        elif f.kind == "select":
            allowed = {str(value): value for value, _text in field_choices(f, log, item)}
            if raw not in allowed:
                errors[f.name] = _not_a_choice(f, log, raw)
            else:
                clean[f.name] = allowed[raw]
        else:
            clean[f.name] = raw
    if (
        section.key == "measures"
        and not errors
        and clean.get("start_date")
        and clean["evaluation_date"] < clean["start_date"]
    ):
        errors["evaluation_date"] = _("Evalueringsdatoen kan ikke være før startdatoen.")
    if section.key == "talks" and clean.get("talked_on") and clean["talked_on"] > local_today():
        errors["talked_on"] = _("Samtalen kan ikke ha en dato fram i tid.")
    return clean, errors


# ------------------------------------------------------------------ permissions


def can_create(user: User, log: Log, section: Section) -> bool:
    return role_on_log(user, log) in section.creators


def _role_may_change(role: str | None, user: User, section: Section, item) -> bool:
    if role == "holder":
        return True
    return role == "participant" and section.participant_edits_own and item.author_id == user.id


def can_change(user: User, log: Log, section: Section, item) -> bool:
    return _role_may_change(role_on_log(user, log), user, section, item)


def is_final(item) -> bool:
    """A meeting whose minutes are approved is final: never changed or deleted again."""
    return isinstance(item, Meeting) and item.finalised_at is not None


def not_final(model) -> list:
    """is_final in SQL, negated, for a write's WHERE: the rows of `model` that may still be
    changed (asked in the write itself, so minutes approved since the row was read stay)."""
    return [Meeting.finalised_at.is_null()] if model is Meeting else []


def ensure_not_final(item) -> None:
    """Approved minutes are not changed: a correction is written instead."""
    if is_final(item):
        raise LogError(_("Referatet er godkjent og kan ikke endres. Skriv en rettelse i stedet."), code="final")


def may_change_each(user: User, log: Log, section: Section) -> Callable[[object], bool]:
    """Endre and Slett are offered on an item: the person may change it and it is not
    final (whether the log takes writes now is the state table's, asked beside this).
    For every item of one list: the person's role on the log is asked once, not per item."""
    role = role_on_log(user, log)
    return lambda item: _role_may_change(role, user, section, item) and not is_final(item)


def get_item(section: Section, log: Log, item_id: int):
    """An item of this log only: ids of other logs are not found."""
    return section.model.get_or_none(section.model.id == item_id, section.model.log == log)


class Forbidden(Exception):
    pass


class Conflict(LogError):
    def __init__(self, message, mine: dict, theirs):
        super().__init__(message, code="conflict")
        self.mine = mine
        self.theirs = theirs


class Gone(LogError):
    """The item was deleted meanwhile (in another tab, or by someone else): a stale save,
    whose text is handed back to be saved as a new item."""

    def __init__(self):
        super().__init__(
            _(
                "Dette er slettet i mellomtiden, av noen andre eller i en annen fane. Teksten din er ikke borte: lagre den som ny hvis den fortsatt trengs."
            ),
            code="gone",
        )


def form_version(form) -> int:
    """The version a form says it was based on; 0, which no row has (versions start at 1),
    for anything else: a missing, made-up or tampered one is stale, never a number too
    large for the database to compare."""
    return row_id(form.get("version")) or 0


# A create sent again this soon, with the same values by the same person, is the same one
# sent twice (a double click on a plain form; htmx drops the second itself), not a new item.
REPLAY_SECONDS = 30


def _choices_gone(section: Section, log: Log, item, clean: dict) -> dict:
    """The choices a form named (a concern, a talk agreement, a person) asked again inside
    the write: one deleted since validate read them is refused as validate refuses it, and
    the text is handed back, instead of the database refusing the row (a 500)."""
    gone = {
        f.name: _not_a_choice(f, log, str(clean[f.name]))
        for f in section.fields
        if f.kind == "select"
        and clean.get(f.name) is not None
        and clean[f.name] not in {value for value, _text in field_choices(f, log, item)}
    }
    for f in section.fields:
        if (
            f.kind == "checkboxes"
            and clean.get(f.name)
            and not set(clean[f.name]) <= dict(choices(f.choices, log)).keys()
        ):
            gone[f.name] = _not_on_the_log(f)
    return gone


def sent_before(model, owner, by: User, clean: dict, seconds: int):
    """The row this create already made moments ago with the same values by the same
    person (`owner`: the log or the measure it belongs to), or None; read inside the write.
    seconds 0: no create is taken for a replay (a domain call, not a form post)."""
    if not seconds:
        return None
    same = [
        getattr(model, name).is_null() if value is None else getattr(model, name) == value
        for name, value in clean.items()
    ]
    since = utcnow() - dt.timedelta(seconds=seconds)
    return model.get_or_none(owner, model.author == by.id, model.created_at >= since, *same)


def create_item(by: User, log: Log, section: Section, form, *, replay_seconds: int = 0):
    """replay_seconds: a form post (REPLAY_SECONDS) may be the same one sent twice."""
    if not can_create(by, log, section):
        raise Forbidden
    ensure_writable(log)
    clean, errors = validate(section, log, form)
    if errors:
        return None, errors
    prerender(section.model, clean)  # not while the write lock is held
    with writing_to(log):
        if gone := _choices_gone(section, log, None, clean):
            return None, gone
        columns = _columns(section, clean)
        if (
            earlier := sent_before(section.model, section.model.log == log.id, by, columns, replay_seconds)
        ) is not None:
            return earlier, {}
        item = section.model.create(log=log, author=by, **columns)
        _store_ticked(section, item.id, clean)
        audit.record(f"{section.key}_created", log=log, obj=item, user=by)
    return item, {}


def update_item(by: User, log: Log, section: Section, item, form):
    """Optimistic locking: the form carries the version it was based on; a stale
    save matches no row and the user's own text is handed back (SECURITY.md)."""
    if not can_change(by, log, section, item):
        raise Forbidden
    ensure_writable(log)
    ensure_not_final(item)
    clean, errors = validate(section, log, form, item)
    if errors:
        return None, errors
    version = form_version(form)
    model = section.model
    prerender(model, clean)  # not while the write lock is held
    with writing_to(log):
        if gone := _choices_gone(section, log, item, clean):
            return None, gone
        columns = _columns(section, clean)
        changed = (
            model.update(version=model.version + 1, updated_at=utcnow(), **columns)
            .where(model.id == item.id, model.version == version, *not_final(model))
            .execute()
        )
        if not changed:
            theirs = model.get_or_none(model.id == item.id)
            if theirs is None:
                raise Gone
            ensure_not_final(theirs)  # approved since the request read it: a correction instead
            if all(theirs.__data__.get(name) == value for name, value in columns.items()) and _ticked_as_stored(
                section, log, theirs, clean
            ):
                return theirs, {}  # the same save again (a double click, a resend): nothing to merge
            raise Conflict(
                _(
                    "Noen andre har lagret en endring i mellomtiden. Teksten din er ikke borte: se begge versjonene under og lagre på nytt."
                ),
                mine=form_values(section, form),
                theirs=theirs,
            )
        _store_ticked(section, item.id, clean)
        audit.record(f"{section.key}_updated", log=log, obj=item, user=by)
    return model.get_by_id(item.id), {}


def _ticked_as_stored(section: Section, log: Log, item, clean: dict) -> bool:
    """Are the checkboxes of a save what the row has stored (a field the form did not have is)?"""
    stored = ticked_values(section, log, item)
    return all(clean.get(name) is None or sorted(clean[name]) == sorted(keys) for name, keys in stored.items())


def _ensure_deletable(item) -> None:
    if is_final(item):
        raise LogError(_("Et møte med godkjent referat kan ikke slettes."), code="final")


def delete_item(by: User, log: Log, section: Section, item) -> None:
    if not can_change(by, log, section, item):
        raise Forbidden
    ensure_writable(log)
    _ensure_deletable(item)
    with writing_to(log):
        # asked again inside: minutes approved since the request read the meeting stay
        _ensure_deletable(section.model.get_or_none(section.model.id == item.id))
        if not section.model.delete().where(section.model.id == item.id).execute():
            return  # deleted a moment ago (a double click, another tab): one deletion, one event
        audit.record(f"{section.key}_deleted", log=log, obj=item, user=by)


def _answers_for(role: str | None, by: User, measure: Measure) -> bool:
    """The holder answers for every measure, a participant for the ones they are responsible for."""
    return role == "holder" or (role == "participant" and measure.responsible_user_id == by.id)


def _role_may_evaluate(role: str | None, by: User, measure: Measure) -> bool:
    return _answers_for(role, by, measure) and measure.status != MeasureStatus.ENDED


def ensure_evaluable(measure: Measure | None) -> None:
    """A measure ended or deleted meanwhile (another tab, a double click) takes no evaluation."""
    if measure is None:
        raise LogError(_("Tiltaket er slettet i mellomtiden."), code="gone")
    if measure.status == MeasureStatus.ENDED:
        raise LogError(_("Tiltaket er avsluttet og evalueres ikke mer."), code="ended")


def may_evaluate(by: User, log: Log, measure: Measure) -> bool:
    """Who may evaluate a measure: the participant responsible for it, and the holder
    any; an ended measure is not evaluated again (the page and the route ask this)."""
    return _role_may_evaluate(role_on_log(by, log), by, measure)


def may_evaluate_each(by: User, log: Log) -> Callable[[Measure], bool]:
    """may_evaluate for every measure of the list: the role on the log asked once."""
    role = role_on_log(by, log)
    return lambda measure: _role_may_evaluate(role, by, measure)


def evaluation_date_problem(day: dt.date) -> str | None:
    """An evaluation tells what happened: dated ahead (2062 for 2026), it would take its
    measure off every list of measures due (measure_due_by) until that day."""
    if day > local_today():
        return _("Evalueringen kan ikke ha en dato fram i tid.")
    return None


# what worked and what did not, in an evaluation: as long as a measure's description may be twice over
EVALUATION_MAX = 5000


def add_evaluation(by: User, log: Log, measure: Measure, form, *, replay_seconds: int = 0):
    """replay_seconds: a form post (REPLAY_SECONDS) may be the same one sent twice, also
    one that ended the measure: it is answered as the first was, not refused as ended."""
    if not _answers_for(role_on_log(by, log), by, measure):
        raise Forbidden
    ensure_writable(log)
    errors, clean = {}, {}
    try:
        clean["evaluated_on"] = parse_date(form.get("evaluated_on", "")) if form.get("evaluated_on") else None
    except YearOutOfRange:
        errors["evaluated_on"] = year_message()
    except ValueError:
        errors["evaluated_on"] = _("Skriv datoen som dd.mm.åååå.")
    if not clean.get("evaluated_on") and "evaluated_on" not in errors:
        errors["evaluated_on"] = _("Fyll ut datoen for evalueringen.")
    elif clean.get("evaluated_on") and (problem := evaluation_date_problem(clean["evaluated_on"])):
        errors["evaluated_on"] = problem
    clean["what_worked"] = (form.get("what_worked") or "").strip()
    if not clean["what_worked"]:
        errors["what_worked"] = _("Skriv hva som virket og hva som ikke virket.")
    elif len(clean["what_worked"]) > EVALUATION_MAX:
        errors["what_worked"] = _("Teksten kan ha høyst %(n)s tegn.", n=EVALUATION_MAX)
    clean["decision"] = form.get("decision", "")
    if clean["decision"] not in labels.EVALUATION_DECISIONS:
        errors["decision"] = _("Velg om tiltaket skal fortsette, justeres eller avsluttes.")
    if errors:
        return None, errors
    prerender(Evaluation, clean)  # not while the write lock is held
    with writing_to(log):
        now = Measure.get_or_none(Measure.id == measure.id)  # as it is now, not as the request read it
        earlier = sent_before(Evaluation, Evaluation.measure == measure.id, by, clean, replay_seconds)
        if now is not None and earlier is not None:  # the same evaluation sent twice
            return earlier, {}
        ensure_evaluable(now)
        measure = now
        evaluation = Evaluation.create(measure=measure, author=by, **clean)
        # the measure keeps its latest evaluation's date: the rule for overdue reads it
        Measure.update(last_evaluated_on=clean["evaluated_on"]).where(
            Measure.id == measure.id,
            Measure.last_evaluated_on.is_null() | (Measure.last_evaluated_on < clean["evaluated_on"]),
        ).execute()
        # «Avslutte» ends the measure; a planned one is under way once it is evaluated
        status = MeasureStatus.ENDED if clean["decision"] == "end" else MeasureStatus.ONGOING
        if status != measure.status:
            Measure.update(status=status, version=Measure.version + 1).where(Measure.id == measure.id).execute()
        audit.record("evaluation_created", log=log, obj=evaluation, user=by)
    return evaluation, {}
