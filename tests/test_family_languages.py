"""Everything a family reads, in every family language: walk each family page and
e-mail, record every message looked up, and fail on a message the language's catalogue
lacks (missing, empty or fuzzy) or on bokmål text left on the page."""

import datetime as dt
import html
import re
from pathlib import Path

import pyotp
import pytest
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import render_template

from stafettlogg import content, languages
from stafettlogg.dates import local_today
from stafettlogg.signin import second_factor
from tests.conftest import a_log, a_measure, a_meeting, an_item, user
from tests.signin_helpers import recovery_codes_on, secret_on

pytestmark = pytest.mark.db


@pytest.fixture
def log(app):
    """A log the guardian persona (the mother) reads, with something in every section a
    family sees: a goal, measures (one the parents do), a highlight, a note, a meeting."""
    log = a_log()
    today = local_today()
    an_item(log, "goals", body="Barnet har en venn å være sammen med i friminuttene innen jul.")
    a_measure(
        log, "Kontaktlæreren setter opp faste lekegrupper i storefri.", evaluation_date=today + dt.timedelta(days=5)
    )
    a_measure(
        log,
        "Mor og far spør hver fredag hva som var fint i uka.",
        responsible="Mor og far",
        evaluation_date=today - dt.timedelta(days=2),
    )
    an_item(log, "highlights", by="aktor", body="Barnet hoppet tau i storefri.")
    an_item(log, "entries", entry_date=today, body="Samtale med mor.")
    a_meeting(log)
    return log


ROOT = Path(__file__).resolve().parent.parent
# Bokmål is the msgids themselves: it has no catalogue of its own.
TRANSLATED = [code for code in languages.FAMILY_LANGUAGES if code != "nb"]


def catalogue(code: str) -> dict[str, str]:
    """msgid -> msgstr for the entries that count as translated (not fuzzy, not empty).
    A plural message (ngettext) counts under its singular msgid, and only with every
    form the language's Plural-Forms asks for (a missing one falls back to bokmål)."""
    with open(ROOT / "translations" / code / "LC_MESSAGES" / "messages.po", "rb") as f:
        cat = read_po(f)
    found = {m.id: m.string for m in cat if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}
    for m in cat:
        if isinstance(m.id, tuple | list) and not m.fuzzy:
            forms = tuple(m.string) if isinstance(m.string, tuple | list) else (m.string,)
            if len(forms) == cat.num_plurals and all(forms):
                found[m.id[0]] = forms
    return found


class Recorder:
    """Records every msgid looked up while it is active (pages, labels, notices)."""

    def __init__(self, monkeypatch):
        self.seen: set[str] = set()
        self.paused = False
        for cls in (NullTranslations, Translations):
            original = cls.__dict__.get("ugettext") or cls.ugettext
            monkeypatch.setattr(cls, "ugettext", self._wrap(original))
            monkeypatch.setattr(cls, "gettext", self._wrap(original))

    def _wrap(self, original):
        def gettext(translations, message):
            if not self.paused:
                self.seen.add(message)
            return original(translations, message)

        return gettext


def content_strings(data) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [t for value in data.values() for t in content_strings(value)]
    if isinstance(data, list):
        return [t for value in data for t in content_strings(value)]
    return []


def visible_text(page: str) -> str:
    page = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page))


def family_pages(app, auth, log, code, recorder):
    """(what, text) for every family page and e-mail, in language `code`. What staff do
    to cause a notice or an e-mail is not recorded (their pages are in bokmål)."""
    from stafettlogg.db import db
    from stafettlogg.guardians import domain as invitations
    from stafettlogg.handover import domain as handover
    from stafettlogg.models import DeletionRequest, Guardian, Log, Meeting, Notification, OutboxEmail, User
    from stafettlogg.notify import loads, locale_of

    out = []

    def get(client, url, status=200, method="get", **kwargs):
        r = getattr(client, method)(url, **kwargs)
        assert r.status_code == status, (url, r.status_code)
        out.append((f"{method.upper()} {url}", r.get_data(as_text=True)))
        return r

    recorder.paused = True
    with db.connection_context():
        newcomer = Guardian.create(log=log, name="Olena Kowalska", email="olena@example.org", language=code)
    staff = app.test_client()
    auth.__class__(app, staff).persona("holder")
    staff.post(f"/logger/{log.id}/tilgang-foresatte", data={"guardian_id": newcomer.id})  # e-mailed
    with app.test_request_context("/"), db.connection_context():
        invitation, token = invitations.invite_guardian(user("stafettholder"), log, newcomer)
    recorder.paused = False
    with app.test_request_context("/"), db.connection_context():  # the sheet printed for the guardian
        created = {"guardian": newcomer, "link": "/invitasjon/x", "invitation": invitation}
        sheet = languages.render_in(code, "guardians/_invitation_letter.html", created=created, log=log)
        out.append(("invitation sheet", f'<div lang="{code}">{sheet}</div>'))
    recorder.paused = False

    q = f"lang={code}"
    anonymous = app.test_client()
    get(anonymous, f"/login?{q}")
    get(anonymous, "/login", method="post", data={"username": "nobody", "password": "x" * 12}, status=422)
    get(anonymous, f"/invitasjon/{'x' * 40}", status=404)
    get(anonymous, f"/invitasjon/{token}?{q}")
    get(anonymous, f"/invitasjon/{token}", method="post", data={"action": "create", "username": ""}, status=422)
    wrong_code = {"action": "create", "code": "0000 0000", "username": ""}
    get(anonymous, f"/invitasjon/{token}", method="post", data=wrong_code, status=422)

    parent = auth.persona("guardian")
    # the language menu keeps the choice on the account: notices and e-mails follow it
    assert parent.post("/sprak", data={"lang": code, "next": "/"}).status_code == 303
    for path in ("/", "/varsler", f"/mine/{log.id}", f"/mine/{log.id}/innsyn"):
        get(parent, f"{path}?{q}")
    get(parent, f"/varsler?etter=2025-01-01T00:00:00_1&{q}")  # a window past the oldest notice
    get(parent, f"/mine/{log.id}/trekk-samtykke")
    get(parent, f"/mine/{log.id}/trekk-samtykke", method="post", data={}, status=422)
    get(parent, f"/mine/{log.id}/be-om-sletting")
    get(parent, f"/mine/{log.id}/be-om-sletting", method="post", data={}, status=422)
    get(parent, "/finnes-ikke", status=404)

    # A sign-in code (two-factor) for the guardian's password: set up, then signed in
    # with a recovery code, told how many are left; turning it off refused without both.
    get(parent, f"/konto/sikkerhet?{q}")
    get(parent, "/konto/sikkerhet", method="post", data={"code": "000000"}, status=422)  # no password
    get(parent, "/konto/sikkerhet", method="post", data={"password": "x" * 12, "code": "000000"}, status=422)
    get(parent, "/konto/sikkerhet", method="post", data={"password": "demo-passord", "code": ""}, status=422)
    right = {"password": "demo-passord"}
    wrong = get(parent, "/konto/sikkerhet", method="post", data={**right, "code": "000000"}, status=422)
    secret = secret_on(wrong.get_data(as_text=True))
    codes = recovery_codes_on(
        get(parent, "/konto/sikkerhet", method="post", data={**right, "code": pyotp.TOTP(secret).now()}).get_data(
            as_text=True
        )
    )
    get(parent, "/konto/sikkerhet/av", method="post", data={}, status=422)
    get(parent, "/konto/sikkerhet/av", method="post", data={"password": "x" * 12, "code": "000000"}, status=422)
    with app.app_context(), db.connection_context():
        for used in codes[:8]:
            second_factor.verify(user("foresatt"), used)  # two left: how to get more
    get(parent, "/konto/sikkerhet")
    signing_in = app.test_client()
    get(signing_in, f"/login?{q}")
    assert signing_in.post("/login", data={"username": "foresatt", "password": "demo-passord"}).status_code == 303
    get(signing_in, "/login/kode")
    get(signing_in, "/login/kode", method="post", data={"code": ""}, status=422)
    get(signing_in, "/login/kode", method="post", data={"code": "000000"}, status=422)
    assert signing_in.post("/login/kode", data={"code": codes[8]}).status_code == 303
    get(signing_in, "/varsler")  # «you used a recovery code, n left»
    recorder.paused = True
    with app.test_request_context("/"), db.connection_context():
        second_factor.reset(None, user("foresatt"))  # the municipality resets it: a notice
    recorder.paused = False

    get(staff, f"/logger/{log.id}/familieversjon?{q}")
    get(staff, f"/logger/samtykkeskjema/{code}")
    with db.connection_context():
        planned = Meeting.get(Meeting.log == log, Meeting.finalised_at.is_null())
    get(staff, f"/logger/{log.id}/moter/{planned.id}/invitasjon?{q}")  # the letter to the family

    # The holder has left and the unit leader makes another holder: the guardians are
    # told who it is now (a notice, and an e-mail with its own subject).
    recorder.paused = True
    with db.connection_context():
        User.update(active=False).where(User.id == log.holder_id).execute()
    with app.test_request_context("/"), db.connection_context():
        handover.assign_holder_directly(user("enhetsleder"), Log.get_by_id(log.id), user("larer"), "Sluttet i går.")
    recorder.paused = False

    # What happens now: the family asks for deletion, the unit leader answers.
    recorder.paused = True  # the request also writes the staff's notices (their language)
    parent.post(f"/mine/{log.id}/be-om-sletting", data={"confirm": "yes", "reason": ""})
    recorder.paused = False
    get(parent, f"/mine/{log.id}")  # the flash says what happens now
    get(parent, f"/mine/{log.id}/trekk-samtykke")
    recorder.paused = True
    with db.connection_context():
        pending = DeletionRequest.get(DeletionRequest.log == log)
    leader = app.test_client()
    auth.__class__(app, leader).persona("unit_leader")
    leader.post(f"/logger/{log.id}/sletting/{pending.id}/avvis", data={"response": "Arkivloven."})
    recorder.paused = False
    get(parent, "/varsler")

    # Signing in with ID-porten (not configured in tests): what a family is told when
    # nobody knows them or the sign-in is refused, and the front-channel logout page.
    with app.test_request_context(f"/?{q}"), db.connection_context():
        pages = [("oidc/no_access.html", {"provider": "idporten"})]
        pages += [("oidc/refused.html", {"provider": "idporten", "reason": r}) for r in ("acr", "unavailable", "x")]
        pages += [("oidc/frontchannel.html", {"ended": True})]
        for template, context in pages:
            out.append((f"{template} {context}", render_template(template, **context)))

    # Notices and e-mails to a guardian, in the guardian's language.
    with db.connection_context():
        mother = user("foresatt")
        notes = list(Notification.select().where(Notification.user == mother))
        assert notes, "no notice to the guardian"
        for note in notes:
            out.append((f"notice {note.kind}", loads(note.message).render(locale_of(mother))))
        mails = list(OutboxEmail.select().where(OutboxEmail.to.in_([mother.email, newcomer.email])))
        assert {m.to for m in mails} == {mother.email, newcomer.email}
        for mail in mails:
            out.append((f"e-mail to {mail.to}", f"{mail.subject}\n{mail.body}"))
    return out


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_family_page_is_translated(app, auth, log, monkeypatch, code):
    translated = catalogue(code)
    recorder = Recorder(monkeypatch)
    pages = family_pages(app, auth, log, code, recorder)
    missing = sorted(m for m in recorder.seen if m not in translated)
    assert not missing, f"{code}: {len(missing)} messages without translation, e.g. {missing[:5]}"
    # Bokmål left on a page: a catalogue text that was not looked up (hard-coded,
    # or translated at import time) shows as its msgid.
    nb_texts = {m for m in catalogue("nn") if len(m) >= 14 and " " in m and "%(" not in m}
    # ... and the municipality's texts (consent form, contact) left in bokmål.
    for kind in ("consent", "contact", "close_reasons"):
        own = set(content_strings(content.get(kind, code)))
        nb_texts |= {t for t in content_strings(content.get(kind, "nb")) if t not in own and len(t) >= 14}
    for what, page in pages:
        text = visible_text(page)
        left = sorted(m for m in nb_texts if m in text and translated.get(m) != m)
        assert not left, f"{code} {what}: bokmål text {left[:3]}"
        assert f'lang="{code}"' in page or not page.lstrip().startswith("<!doctype"), what
    assert any(what.startswith("e-mail") for what, _page in pages)


def test_arabic_pages_run_right_to_left(auth, log):
    page = auth.persona("guardian").get(f"/mine/{log.id}?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    ltr = auth.persona("guardian").get(f"/mine/{log.id}?lang=pl").get_data(as_text=True)
    assert '<html lang="pl" dir="ltr">' in ltr


def test_names_in_an_arabic_sentence_are_isolated_so_it_reads_in_order(auth, log):
    """Finding: «Kari Ottesen، Kontaktlærer في Nordbyen skole»: a Norwegian name, title and
    unit inside an Arabic sentence ran together left to right and the sentence read
    scrambled. In a right-to-left language every text put into a sentence is a bidi
    isolate (FSI…PDI, invisible), in templates, in Python's texts and in stored notices
    and e-mails alike; never a web address, and never in a left-to-right language."""
    from stafettlogg.i18n import FSI, PDI
    from stafettlogg.messages import msg

    holder = user("stafettholder")
    page = auth.persona("guardian").get(f"/mine/{log.id}?lang=ar").get_data(as_text=True)
    assert f"{FSI}{holder.name}{PDI}" in page and f"{FSI}{holder.job_title}{PDI}" in page
    polish = auth.persona("guardian").get(f"/mine/{log.id}?lang=pl").get_data(as_text=True)
    assert holder.name in polish and FSI not in polish
    notice = msg(
        "%(name)s, %(job)s, er ny stafettholder for stafettlogg nr. %(id)s.", name="Kari Ottesen", job="Lærer", id=7
    )
    assert f"{FSI}Kari Ottesen{PDI}" in notice.render("ar") and FSI not in notice.render("nb")
    link = msg("Åpne Stafettlogg: %(link)s", link="https://stafettlogg.kommune.no/mine/7").render("ar")
    assert "https://stafettlogg.kommune.no/mine/7" in link and FSI not in link


# Every page a family reads, including the branches the walk above does not reach (a
# closed or passive log, a refused deletion, an expired link, a staff member on a link).
FAMILY_SOURCES = (
    "templates/guardians/_plain.html",
    "templates/guardians/_as_written.html",
    "templates/guardians/_minutes.html",
    "templates/guardians/_highlights.html",
    "templates/guardians/_measures.html",
    "templates/guardians/access_log.html",
    "templates/guardians/_access_rows.html",
    "templates/guardians/deletion_request.html",
    "templates/guardians/show.html",
    "templates/guardians/withdraw.html",
    "templates/guardians/family_print.html",
    "templates/_print_base.html",
    "templates/guardians/invitation_*.html",
    "templates/guardians/_invitation_letter.html",
    "templates/meetings/invitation.html",
    "templates/auth/login.html",
    "templates/oidc/frontchannel.html",
    "templates/main/notifications.html",
    "templates/error.html",
    "templates/unavailable.html",
    "templates/auth/password.html",
    "templates/signin/account.html",
    "templates/signin/code.html",
    "templates/signin/recovery_codes.html",
    "stafettlogg/signin/views.py",
    "templates/_macros.html",
    "stafettlogg/guardians/views.py",
    "stafettlogg/guardians/queries.py",
    "stafettlogg/auth.py",
)


def family_messages() -> set[str]:
    from babel.messages.extract import extract_from_file

    found = set()
    for pattern in FAMILY_SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            method = "python" if path.suffix == ".py" else "jinja2"
            keywords = {"_": None, "gettext": None, "_l": None, "ngettext": (1, 2)}
            for _line, message, _comments, _context in extract_from_file(method, str(path), keywords=keywords):
                found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_of_the_family_pages_is_in_the_catalogue(code):
    messages = family_messages()
    assert len(messages) > 120
    translated = catalogue(code)
    missing = sorted(m for m in messages if m not in translated)
    assert not missing, f"{code}: {missing[:5]}"


def test_phone_numbers_read_left_to_right_in_arabic(auth, log):
    """In an Arabic (right-to-left) page the digit groups of a phone number run right to
    left unless the number is isolated as left-to-right: «900 22 222» would show as
    «222 22 900», and the family would call a wrong number."""
    from stafettlogg.db import db
    from stafettlogg.models import Guardian, Meeting, User

    with db.connection_context():
        User.update(phone="900 22 222").where(User.id == log.holder_id).execute()
        Guardian.update(language="ar").where(Guardian.log == log).execute()
        meeting = Meeting.get(Meeting.log == log)
    page = auth.persona("guardian").get(f"/mine/{log.id}?lang=ar").get_data(as_text=True)
    assert '<a href="tel:900 22 222" dir="ltr">900 22 222</a>' in page
    holder = auth.persona("holder")
    letter = holder.get(f"/logger/{log.id}/moter/{meeting.id}/invitasjon?lang=ar").get_data(as_text=True)
    assert '<span dir="ltr">900 22 222</span>' in letter
    with db.connection_context():
        father = Guardian.get(Guardian.log == log, Guardian.user.is_null())
    sheet = holder.post(f"/logger/{log.id}/tilgang-foresatte", data={"guardian_id": father.id}).get_data(as_text=True)
    assert '<span dir="ltr">900 22 222</span>' in sheet
    css = (ROOT / "static" / "css" / "app.css").read_text(encoding="utf-8")
    assert 'a[href^="tel:"] { direction: ltr; unicode-bidi: isolate; }' in css


@pytest.mark.parametrize("code", TRANSLATED)
def test_a_count_a_family_reads_has_its_plural_form(app, code):
    """The wait after failed sign-ins (ngettext) on the login page and the invitation
    link, for every count the language's plural forms tell apart: never bokmål."""
    from flask_babel import force_locale

    from stafettlogg.auth import refusal_message
    from stafettlogg.signin.throttle import Refusal

    with app.test_request_context("/"), force_locale(code):
        texts = {n: refusal_message(Refusal("account", n)) for n in (0, 1, 2, 3, 5, 11, 21, 22, 25, 100, 101, 111)}
    bokmal = ("Det har vært flere mislykkede forsøk", "Det har vore fleire mislukka forsøk")
    wrong = {n: text for n, text in texts.items() if text.startswith(bokmal[0]) or (code != "nn" and bokmal[1] in text)}
    assert not wrong, f"{code}: {wrong}"
    assert all(str(n) in texts[n] for n in (5, 11, 25)) or code == "se"  # the count is said (Sámi: «veaháš»)


@pytest.mark.parametrize(
    ("code", "minutes", "wait"),
    [
        ("nb", 1, "Vent 1 minutt og"),
        ("nb", 15, "Vent 15 minutter og"),
        ("pl", 1, "Poczekaj 1 minutę i"),
        ("pl", 3, "Poczekaj 3 minuty i"),
        ("pl", 15, "Poczekaj 15 minut i"),
        ("uk", 21, "Зачекайте 21 хвилину й"),
        ("ar", 2, "انتظر دقيقتين"),
    ],
)
def test_the_wait_after_too_many_attempts_from_one_address_has_its_plural_form(app, code, minutes, wait):
    """Too many failed sign-ins from one address: the wait (LOGIN_LOCK_MINUTES) is said
    with the number's own form, «1 minutt», «3 minuty», not «1 minutter»."""
    from flask_babel import force_locale

    from stafettlogg.auth import refusal_message
    from stafettlogg.signin.throttle import Refusal

    app.config["LOGIN_LOCK_MINUTES"] = minutes
    with app.test_request_context("/"), force_locale(code):
        assert wait in refusal_message(Refusal("address", minutes * 60))


@pytest.mark.parametrize("code", TRANSLATED)
def test_what_a_family_is_refused_is_said_in_their_language(auth, code):
    """A reason too long for the deletion form, a second request for deletion, and
    withdrawing consent from a log someone already closed: refused in the family's
    language, not in the bokmål the rules are written in."""
    from stafettlogg.db import db
    from stafettlogg.models import Log, User

    log = a_log()
    parent = auth.persona("guardian")
    with db.connection_context():
        User.update(language=code).where(User.username == "foresatt").execute()
    refusals = []
    r = parent.post(f"/mine/{log.id}/be-om-sletting", data={"confirm": "yes", "reason": "x" * 2001})
    refusals.append((r.status_code, r.get_data(as_text=True), "Teksten kan ha høyst %(n)s tegn."))
    assert parent.post(f"/mine/{log.id}/be-om-sletting", data={"confirm": "yes"}).status_code == 303
    r = parent.post(f"/mine/{log.id}/be-om-sletting", data={"confirm": "yes"})
    refusals.append((r.status_code, r.get_data(as_text=True), "Dere har allerede bedt om sletting."))
    with db.connection_context():
        Log.update(status="closed", closed_at=dt.datetime(2026, 1, 5)).where(Log.id == log.id).execute()
    r = parent.post(f"/mine/{log.id}/trekk-samtykke", data={"confirm": "yes"})
    refusals.append((r.status_code, r.get_data(as_text=True), "Stafettloggen er allerede avsluttet."))
    translated = catalogue(code)
    for status, page, bokmal in refusals:
        assert status == 422, (bokmal, status)
        assert f'lang="{code}"' in page
        assert bokmal.replace("%(n)s", "2000") not in visible_text(page), (code, bokmal)
    # a concurrent change, refused the same way (states.CONFLICT_MESSAGE)
    assert "Stafettloggen ble endret samtidig. Last siden på nytt." in translated


def test_a_family_page_says_in_its_language_when_the_server_does_not_answer(auth, log):
    """«Vis flere» on a family page that gets no answer (static/js/app.js) shows a notice
    in the family's language; staff pages keep theirs."""
    page = auth.persona("guardian").get(f"/mine/{log.id}?lang=pl").get_data(as_text=True)
    notice = re.search(r"<div[^>]*data-server-unavailable[^>]*>(.*?)</div>", page, re.S)
    assert notice and notice.group(1) == "Coś poszło nie tak po naszej stronie. Spróbuj ponownie za chwilę."
    staff = auth.persona("holder").get(f"/logger/{log.id}").get_data(as_text=True)
    assert "Stafettloggen svarer ikke akkurat nå, så dette ble ikke lagret." in staff
    # and when a request is refused (static/js/app.js: a 4xx not swapped)
    refused = re.search(r"<div[^>]*data-request-refused[^>]*>(.*?)</div>", page, re.S)
    assert refused and refused.group(1) == "To się nie udało. Odśwież stronę."
    assert "Det kan være endret eller slettet av noen andre" in staff


def test_a_printed_page_is_named_by_the_logs_number_not_the_childs_name(auth, log):
    """«Save as PDF» names the file after the page's title: the family version and the
    invitation sheet a holder prints land in a staff member's downloads as
    «Stafettlogg nr. 7 …», not with the child's name (as the archive print already did)."""
    holder = auth.persona("holder")
    for url, title in (
        (f"/logger/{log.id}/familieversjon", f"Stafettlogg nr. {log.id} – for familien"),
        (f"/logger/{log.id}/familieversjon?lang=en", f"Relay log no. {log.id} – for the family"),
        (f"/logger/{log.id}/tilgang-foresatte", f"Tilgang for foresatte – stafettlogg nr. {log.id}"),
    ):
        page = holder.get(url).get_data(as_text=True)
        shown = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
        assert title in html.unescape(shown) and log.subject.name not in html.unescape(shown), url
        assert log.subject.name in page  # the page itself says whose log it is
