"""The plain-language hints as users see them beside every log text field: each rule has a
label in both language forms, and the new rules show with their explanation."""

import pytest

from stafettlogg import klarsprak
from stafettlogg.meetings.views import RULE_LABELS
from tests.conftest import EMMA_LOG_ID

pytestmark = pytest.mark.db

HX = {"HX-Request": "true"}


def test_every_rule_has_a_label_and_no_label_lacks_a_rule():
    assert set(RULE_LABELS) == set(klarsprak.RULES)


def test_replacement_rules_are_rules():
    assert set(klarsprak.RULES) >= klarsprak.REPLACEMENT_RULES


def post(client, text, form):
    response = client.post(f"/logger/{EMMA_LOG_ID}/klarsprak", data={"text": text, "form": form}, headers=HX)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_new_rules_show_in_bokmal(auth):
    client = auth.persona("holder")
    html = post(client, "Vi skal foreta en vurdering av Emma. Emma mistrives ikke. Broren var med.", "nb")
    assert '<mark class="klarsprak" data-rule="nominal">foreta en vurdering av</mark>' in html
    assert '<mark class="klarsprak" data-rule="negation">mistrives ikke</mark>' in html
    assert "Substantivsyke" in html and "Skriv: «vurdere»" in html
    assert "Nektende form" in html and "Skriv det positivt: «trives»." in html
    assert "Nektende form er tyngre å lese." in html
    assert 'data-rule="other_person">Broren</mark>' in html


def test_new_rules_show_in_nynorsk_with_nynorsk_labels(auth):
    client = auth.persona("holder")
    client.set_cookie("lang", "nn")
    html = post(client, "PPT skal gjennomføre ei kartlegging. Emma mistrivst ikkje. Brevet er send.", "nn")
    assert '<mark class="klarsprak" data-rule="nominal">gjennomføre ei kartlegging</mark>' in html
    assert '<mark class="klarsprak" data-rule="negation">mistrivst ikkje</mark>' in html
    assert '<mark class="klarsprak" data-rule="passive">er send</mark>' in html
    assert "Substantivsjuke" in html and "Skriv: «kartleggje»" in html
    assert "Nektande form" in html and "Skriv det positivt: «trivst»." in html
    assert "Substantivsjuke: eit verb er gjort om til eit substantiv." in html


def test_time_conventions_give_no_hint_in_the_live_view(auth):
    client = auth.persona("holder")
    html = post(client, "Vi møtes kl. 10 den 14. januar i rom nr. 3.", "nb")
    assert "Ingen råd" in html
