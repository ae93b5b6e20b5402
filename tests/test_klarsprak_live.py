"""The plain-language hints as users see them beside every log text field: each rule has a
label in both language forms, and the new rules show with their explanation."""

import pytest

from stafettlogg import klarsprak
from stafettlogg.meetings.views import RULE_LABELS
from tests.conftest import a_log, a_meeting

pytestmark = pytest.mark.db

HX = {"HX-Request": "true"}


@pytest.fixture
def log(db_conn):
    """Emma Hansen's log, held by "stafettholder"."""
    return a_log(name="Emma Hansen")


def test_every_rule_has_a_label_and_no_label_lacks_a_rule():
    assert set(RULE_LABELS) == set(klarsprak.RULES)


def test_replacement_rules_are_rules():
    assert set(klarsprak.RULES) >= klarsprak.REPLACEMENT_RULES


def post(client, log, text, form):
    response = client.post(f"/logger/{log.id}/klarsprak", data={"text": text, "form": form}, headers=HX)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_new_rules_show_in_bokmal(auth, log):
    client = auth.persona("holder")
    html = post(client, log, "Vi skal foreta en vurdering av Emma. Emma mistrives ikke. Broren var med.", "nb")
    assert '<mark class="klarsprak" data-rule="nominal">foreta en vurdering av</mark>' in html
    assert '<mark class="klarsprak" data-rule="negation">mistrives ikke</mark>' in html
    assert "Substantivsyke" in html and "Skriv: «vurdere»" in html
    assert "Nektende form" in html and "Skriv det positivt: «trives»." in html
    assert "Nektende form er tyngre å lese." in html
    assert 'data-rule="other_person">Broren</mark>' in html


def test_new_rules_show_in_nynorsk_with_nynorsk_labels(auth, log):
    client = auth.persona("holder")
    client.set_cookie("lang", "nn")
    html = post(client, log, "PPT skal gjennomføre ei kartlegging. Emma mistrivst ikkje. Brevet er send.", "nn")
    assert '<mark class="klarsprak" data-rule="nominal">gjennomføre ei kartlegging</mark>' in html
    assert '<mark class="klarsprak" data-rule="negation">mistrivst ikkje</mark>' in html
    assert '<mark class="klarsprak" data-rule="passive">er send</mark>' in html
    assert "Substantivsjuke" in html and "Skriv: «kartleggje»" in html
    assert "Nektande form" in html and "Skriv det positivt: «trivst»." in html
    assert "Substantivsjuke: eit verb er gjort om til eit substantiv." in html


def test_time_conventions_give_no_hint_in_the_live_view(auth, log):
    client = auth.persona("holder")
    html = post(client, log, "Vi møtes kl. 10 den 14. januar i rom nr. 3.", "nb")
    assert "Ingen råd" in html


# ------------------------------------------------------------------ as htmx asks (meetings/_hints_panel.html)


def test_the_panel_sends_the_field_as_the_form_has_it(auth, log):
    client = auth.persona("holder")
    response = client.post(
        f"/logger/{log.id}/klarsprak",
        data={"field": "body", "body": "Samtale med mor vedrørende fravær."},
        headers=HX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-rule="old_fashioned">vedrørende</mark>' in html
    # the language-form choice asks again for the same field, and only for it
    assert 'name="form"' in html and f'hx-post="/logger/{log.id}/klarsprak"' in html
    assert 'hx-params="form,field,body"' in html
    assert "klarsprak_form" not in str(response.headers)  # only a choice is remembered


def test_a_field_name_that_is_not_a_name_is_ignored(auth, log):
    client = auth.persona("holder")
    html = client.post(
        f"/logger/{log.id}/klarsprak", data={"field": 'x" onmouseover="y', "text": "Han sier samt."}, headers=HX
    ).get_data(as_text=True)
    assert "onmouseover" not in html and "hx-params" not in html


def test_no_text_gets_an_empty_answer_so_the_panel_stays_hidden(auth, log):
    client = auth.persona("holder")
    for data in ({"field": "body", "body": "  \n "}, {"field": "body"}, {"text": ""}, {}):
        response = client.post(f"/logger/{log.id}/klarsprak", data=data, headers=HX)
        assert response.status_code == 200 and response.get_data() == b"", data


def test_a_choice_of_language_form_is_remembered(auth, log):
    client = auth.persona("holder")
    response = client.post(
        f"/logger/{log.id}/klarsprak",
        data={"field": "body", "body": "Arbeidet utføres.", "form": "nn"},
        headers=HX,
    )
    assert "klarsprak_form=nn" in response.headers["Set-Cookie"]
    assert '<option value="nn" selected>' in response.get_data(as_text=True)


def test_hints_never_take_someone_who_is_typing_away_when_the_session_ends(app, auth, log):
    """A signed-out hint request gets 204 (htmx swaps nothing and follows nothing); the
    save takes the person to login. Without htmx the usual redirect."""
    client = auth.persona("holder")
    with client.session_transaction() as session:
        session["last_seen"] = session["last_seen"] - (app.config["SESSION_IDLE_MINUTES"] + 5) * 60
    data = {"field": "body", "body": "Skrevet mens økten gikk ut."}
    response = client.post(f"/logger/{log.id}/klarsprak", data=data, headers=HX)
    assert response.status_code == 204 and "HX-Redirect" not in response.headers
    assert response.get_data() == b""
    # the session is over: the next save is sent to login as before
    meeting = a_meeting(log)
    save = client.post(
        f"/logger/{log.id}/moter/{meeting.id}/referat", data={"minutes": "x", "autosave": "1"}, headers=HX
    )
    assert save.headers["HX-Redirect"].startswith("/login?next=")
    # no flash left over for the login page from the quiet refusal
    with client.session_transaction() as session:
        assert [m for _c, m in session.get("_flashes", [])].count("Logg inn for å fortsette.") == 1
    anonymous = auth.persona("anonymous")
    assert anonymous.post(f"/logger/{log.id}/klarsprak", data=data, headers=HX).status_code == 204
    plain = anonymous.post(f"/logger/{log.id}/klarsprak", data=data)
    assert plain.status_code in (302, 303) and "/login" in plain.headers["Location"]


def test_only_the_hints_are_answered_quietly():
    from stafettlogg.auth import BACKGROUND_ENDPOINTS

    assert {"meetings.hints"} == BACKGROUND_ENDPOINTS  # a route that writes must send people to login
