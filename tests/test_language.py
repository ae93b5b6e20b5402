"""The interface in bokmål or nynorsk, chosen by the user and remembered."""

import pathlib

import pytest

from stafettlogg.i18n import written_right_to_left
from stafettlogg.languages import LANGUAGES, direction
from stafettlogg.models import User
from tests.conftest import a_log, a_meeting

pytestmark = pytest.mark.db


@pytest.fixture
def log(app):
    """A log held by the holder persona; the guardian persona is the child's mother."""
    return a_log()


def test_language_switch_sets_cookie_and_returns_to_page(client):
    r = client.post("/sprak", data={"lang": "nn", "next": "/login"})
    assert r.status_code == 303 and r.headers["Location"] == "/login"
    assert "lang=nn" in r.headers["Set-Cookie"] and "HttpOnly" in r.headers["Set-Cookie"]
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="nn" dir="ltr">' in page
    assert "Logg inn i Stafettlogg" in page or "Logg inn i Stafettloggen" in page


def test_language_switch_never_redirects_off_site(client):
    r = client.post("/sprak", data={"lang": "nb", "next": "//evil.example/"})
    assert r.headers["Location"] == "/"


def test_log_page_in_nynorsk(auth, log):
    c = auth.persona("holder")
    c.set_cookie("lang", "nn")
    html = c.get(f"/logger/{log.id}").get_data(as_text=True)
    assert "Stafetthaldar" in html and "Merksemd" in html
    edit = c.get(f"/logger/{log.id}/opplysninger").get_data(as_text=True)
    assert "Eige arkivsystem (private skular og barnehagar)" in edit  # labels made at import time follow too


# ------------------------------------------------------------------ family languages


def _guardian_with_email(auth, log, language):
    from stafettlogg.models import Guardian

    holder = auth.persona("holder")
    r = holder.post(
        f"/logger/{log.id}/foresatte",
        data={"name": "Anna Nowak", "relation": "mor", "email": "anna@example.org", "language": language},
    )
    assert r.status_code == 303
    return holder, Guardian.get(Guardian.name == "Anna Nowak")


def test_a_polish_mothers_invitation_is_in_polish(auth, db_conn, log):
    from stafettlogg.models import OutboxEmail

    holder, anna = _guardian_with_email(auth, log, "pl")
    assert anna.language == "pl"
    sheet = holder.post(f"/logger/{log.id}/tilgang-foresatte", data={"guardian_id": anna.id}).get_data(as_text=True)
    assert '<html lang="nb" dir="ltr">' in sheet and "Lenken er sendt på e-post" in sheet  # the holder's page
    assert '<div class="stack" lang="pl" dir="ltr">' in sheet and "Otwórz poniższy link w przeglądarce." in sheet
    mail = OutboxEmail.get(OutboxEmail.to == "anna@example.org")
    assert mail.locale == "pl" and mail.subject == "Zaproszenie do Stafettlogg"
    assert "daje ci dostęp do czytania dziennika" in mail.body and "Hei!" not in mail.body
    assert "kl." not in mail.body  # the expiry carries no Norwegian words
    link = next(line for line in mail.body.splitlines() if "/invitasjon/" in line)
    assert link.endswith("?lang=pl")
    page = auth.app.test_client().get(link[link.index("/invitasjon/") :]).get_data(as_text=True)
    assert '<html lang="pl" dir="ltr">' in page and "Utwórz konto" in page


def test_a_link_with_lang_shows_the_page_and_the_menu_keeps_the_guardians_choice(auth, db_conn, log):
    """?lang= chooses the language of that page and stores nothing (a GET changes
    nothing); the language menu's POST keeps it on the account, which the guardian's
    notices and e-mails follow."""
    from stafettlogg.notify import locale_of

    parent = auth.persona("guardian")
    page = parent.get(f"/mine/{log.id}?lang=so").get_data(as_text=True)
    assert '<html lang="so" dir="ltr">' in page
    assert User.get(User.username == "foresatt").language != "so"
    # the menu: one button per language, posting back to this page without its ?lang=
    assert f'<input type="hidden" name="next" value="/mine/{log.id}">' in page
    assert '<button type="submit" name="lang" value="pl" lang="pl"' in page
    r = parent.post("/sprak", data={"lang": "so", "next": f"/mine/{log.id}"})
    assert r.status_code == 303 and r.headers["Location"] == f"/mine/{log.id}"
    mother = User.get(User.username == "foresatt")
    assert mother.language == "so" and locale_of(mother) == "so"
    parent.delete_cookie("lang")  # kept on the account, not only in this browser
    assert '<html lang="so"' in parent.get(f"/mine/{log.id}/innsyn").get_data(as_text=True)
    assert '<html lang="pl"' in parent.get(f"/mine/{log.id}?lang=pl").get_data(as_text=True)  # one page
    assert '<html lang="so"' in parent.get(f"/mine/{log.id}?lang=xx").get_data(as_text=True)  # unknown: ignored
    assert User.get(User.username == "foresatt").language == "so"
    parent.post("/sprak", data={"lang": "xx", "next": "/"})
    assert User.get(User.username == "foresatt").language == "nb"  # unknown: bokmål
    staff = auth.persona("holder")
    page = staff.get(f"/logger/{log.id}?lang=ar").get_data(as_text=True)
    assert '<html lang="nb" dir="ltr">' in page  # staff work in bokmål or nynorsk
    staff.post("/sprak", data={"lang": "ar", "next": "/"})
    assert User.get(User.username == "stafettholder").language == "nb"
    staff.post("/sprak", data={"lang": "nn", "next": "/"})
    assert User.get(User.username == "stafettholder").language == "nn"


def test_anonymous_choice_is_kept_in_a_cookie(client):
    r = client.get("/login?lang=uk")
    assert "lang=uk" in r.headers["Set-Cookie"]
    assert '<html lang="uk" dir="ltr">' in client.get("/login").get_data(as_text=True)
    assert "Увійти до Stafettlogg" in client.get("/login").get_data(as_text=True)


def test_holder_sets_language_and_interpreter_shown_when_planning_and_on_the_letter(auth, db_conn, log):
    from stafettlogg.models import Guardian

    holder = auth.persona("holder")
    mother = Guardian.select().where(Guardian.log == log, Guardian.user.is_null(False)).first()
    r = holder.post(
        f"/logger/{log.id}/foresatte/{mother.id}/sprak", data={"language": "ar", "needs_interpreter": "yes"}
    )
    assert r.status_code == 303
    assert Guardian.get_by_id(mother.id).needs_interpreter and User.get_by_id(mother.user_id).language == "ar"
    page = holder.get(f"/logger/{log.id}").get_data(as_text=True)
    assert "arabisk" in page and "tolk trengs" in page
    assert f"<strong>Tolk:</strong> arabisk ({mother.name})" in page  # in the form that plans a meeting
    meeting = a_meeting(log)
    # the letter to the family is in the guardian's language, with the others a click away
    letter = holder.get(f"/logger/{log.id}/moter/{meeting.id}/invitasjon").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in letter and "مترجم" in letter
    assert f'href="/logger/{log.id}/moter/{meeting.id}/invitasjon?lang=ar"' in letter
    letter = holder.get(f"/logger/{log.id}/moter/{meeting.id}/invitasjon?lang=nb").get_data(as_text=True)
    assert "Tolk</th><td>arabisk" in letter
    assert "Tolk:</strong> arabisk" in holder.get(f"/logger/{log.id}/moter/{meeting.id}").get_data(as_text=True)
    # the family's paper version is in the guardian's language unless another is asked for
    assert '<html lang="ar" dir="rtl">' in holder.get(f"/logger/{log.id}/familieversjon").get_data(as_text=True)
    assert '<html lang="nb"' in holder.get(f"/logger/{log.id}/familieversjon?lang=nb").get_data(as_text=True)
    # in nynorsk, the holder reads the language's nynorsk name
    holder.set_cookie("lang", "nn")
    assert "Språk og tolk" in holder.get(f"/logger/{log.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    "data, error",
    [
        ({"language": "xx"}, "Velg et språk fra listen."),
        ({"language": "nb", "needs_interpreter": "yes"}, "Velg språket tolken skal snakke."),
    ],
)
def test_bad_language_settings_are_refused(auth, db_conn, log, data, error):
    from stafettlogg.models import Guardian

    holder = auth.persona("holder")
    mother = Guardian.select().where(Guardian.log == log).first()
    r = holder.post(f"/logger/{log.id}/foresatte/{mother.id}/sprak", data=data, follow_redirects=True)
    assert error in r.get_data(as_text=True)
    assert Guardian.get_by_id(mother.id).language == ""


def test_language_of_another_logs_guardian_is_not_found(auth, db_conn, log):
    from stafettlogg.models import Guardian

    other = Guardian.select().where(Guardian.log == a_log(guardian=None)).first()
    before = other.language
    holder = auth.persona("holder")
    assert holder.post(f"/logger/{log.id}/foresatte/{other.id}/sprak", data={"language": "pl"}).status_code == 404
    assert holder.post(f"/logger/{log.id}/foresatte/99999999999/sprak", data={"language": "pl"}).status_code == 404
    assert Guardian.get_by_id(other.id).language == before


def test_scripts_take_their_words_from_the_page():
    """Text a script shows comes from the page (data attributes), so it is translated;
    a script that writes a literal text would always be bokmål."""
    import re
    from pathlib import Path

    literal = re.compile(
        r"""(textContent|innerText|innerHTML|placeholder|title)\s*=\s*["'][^"']+["']|(alert|confirm|prompt)\(["']"""
    )
    for script in (Path(__file__).resolve().parent.parent / "static" / "js").glob("*.js"):
        found = [line for line in script.read_text(encoding="utf-8").splitlines() if literal.search(line)]
        assert not found, f"{script.name}: {found}"


def test_copy_link_messages_are_on_the_page_in_the_holders_language(auth, db_conn, log):
    from stafettlogg.models import Guardian

    holder = auth.persona("holder")
    holder.set_cookie("lang", "nn")
    father = Guardian.get(Guardian.log == log, Guardian.user.is_null())
    page = holder.post(f"/logger/{log.id}/tilgang-foresatte", data={"guardian_id": father.id}).get_data(as_text=True)
    assert 'data-copied="Lenkja er kopiert."' in page
    assert 'data-copy-failed="Merk lenkja og kopier ho med Ctrl+C."' in page


def test_fields_needed_only_sometimes_say_when(auth, log):
    holder = auth.persona("holder")
    new = holder.get("/logger/ny").get_data(as_text=True)
    assert new.count("(telefon eller e-post må fylles ut)") == 4
    close = holder.get(f"/logger/{log.id}/avslutt").get_data(as_text=True)
    assert close.count("(påkrevd ved individuell plan)") == 2
    ke = auth.persona("coordinating_unit").get("/ke/vedtak/ny").get_data(as_text=True)
    assert "(påkrevd når vedtaket er innvilget)" in ke


def test_paper_version_without_a_preference_follows_the_holders_form(auth, log):
    holder = auth.persona("holder")
    holder.set_cookie("lang", "nn")
    page = holder.get(f"/logger/{log.id}/familieversjon").get_data(as_text=True)
    assert '<html lang="nn" dir="ltr">' in page and "Kven gjer kva, og når?" in page


def test_which_way_a_language_is_written_is_said_once():
    """Arabic is right to left for the page's ``dir`` and for the isolates around names
    alike, by one rule (Babel's), which no module restates as its own list or test."""
    assert [code for code in LANGUAGES if direction(code) == "rtl"] == ["ar"]
    assert all(written_right_to_left(code) == (direction(code) == "rtl") for code in LANGUAGES)
    sayers = [
        path.name
        for path in pathlib.Path("stafettlogg").rglob("*.py")
        if 'character_order == "right-to-left"' in path.read_text(encoding="utf-8")
        or '"rtl"' in path.read_text(encoding="utf-8")
    ]
    assert sorted(sayers) == ["i18n.py", "languages.py"]
