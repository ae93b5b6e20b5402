"""Issue 6 in the browser: a guardian accepts an invitation, reads the log, sees the access
history and withdraws consent; the holder reopens with new consent; the unit leader
prints the archive and deletes. axe on every page, no console errors or CSP violations."""

import pytest

from stafettlogg.dates import local_today
from stafettlogg.models import Guardian
from tests.conftest import an_ended_log, an_item
from tests.files import pdf


def test_guardian_invitation_view_withdraw_reopen_archive_delete(page, log, server_and_app, tmp_path):
    with server_and_app[
        1
    ].app_context():  # the log is held by Kari Ottesen; the nurse (Helsestasjonen sentrum) takes part
        fields = {"responsible": "Kontaktlærer", "status": "ongoing", "evaluation_date": local_today()}
        an_item(log, "measures", what="Faste lekegrupper i storefri.", **fields)
        an_item(log, "highlights", by="aktor", body="Barnet hoppet tau i storefri.")
        an_item(log, "entries", entry_date=local_today(), body="Samtale med mor. Det går bedre.")
        father = Guardian.get(Guardian.log == log, Guardian.relation == "far").name
        closed = an_ended_log(name="Sander Vik", concern="Sander var urolig etter flytting")
    p = page.page
    # the holder invites the father (no e-mail: the link is shown to copy or print)
    page.login("stafettholder")
    page.goto(f"/logger/{log.id}")
    page.click("a:has-text('Tilgang for foresatte')")
    page.click(f"tr:has-text('{father}') button:has-text('Lag invitasjon')")
    link = p.input_value("#invitation-link")
    assert "/invitasjon/" in link
    code = p.inner_text(".invitation-code__digits")  # given by phone, not with the link
    page.screenshot("lifecycle-invitation")
    page.goto(f"/logger/{log.id}/familieversjon")
    assert "Hvem gjør hva, og når?" in p.content() and "Unntatt offentlighet" in p.content()
    page.screenshot("lifecycle-family-print")
    page.goto(f"/logger/{log.id}/avslutt")  # the close form (not submitted here)
    page.screenshot("lifecycle-close-form")
    page.goto(f"/logger/{log.id}")
    page.logout()

    # the guardian accepts: chooses a username and password, lands in the log
    page.goto(link[link.index("/invitasjon/") :])
    p.fill("#f-code", code)
    p.fill("#f-username", "tor.hansen")
    p.fill("#f-password", "far leser avisen hver morgen")
    p.fill("#f-repeat", "far leser avisen hver morgen")
    page.click("button:has-text('Lag bruker og åpne loggen')")
    assert p.url.endswith(f"/mine/{log.id}")
    text = p.inner_text("main")
    assert "Kari Ottesen" in text and "Hvem gjør hva, og når?" in text and "Samtale med mor" not in text
    page.screenshot("lifecycle-guardian-view")
    page.click("a:has-text('Se hvem som har lest eller endret loggen')")
    assert "Deltaker" in p.inner_text("main") and "Helsestasjonen sentrum" in p.inner_text("main")
    page.screenshot("lifecycle-access-history")
    page.click("a:has-text('Tilbake til loggen')")
    page.click("a:has-text('Be om at loggen slettes')")  # looked at, not sent
    page.click("a:has-text('Avbryt')")
    page.click("a:has-text('Trekk samtykket tilbake')")
    page.click("button:has-text('Trekk samtykket tilbake')")  # without the tick: an error, nothing changes
    assert "Kryss av" in p.inner_text("main")
    p.check("#f-confirm")
    page.click("button:has-text('Trekk samtykket tilbake')")
    assert "Samtykket er trukket tilbake" in p.inner_text("main") and "Avsluttet" in p.inner_text("main")
    page.logout()

    # the holder reopens with a new consent; the history is all there
    page.login("stafettholder")
    page.goto(f"/logger/{log.id}/avslutt")
    page.click("button:has-text('Gjenåpne og last opp nytt samtykke')")
    assert p.url.endswith(f"/logger/{log.id}/samtykke")
    consent = tmp_path / "samtykke.pdf"
    consent.write_bytes(pdf())
    p.fill("#f-given_by_name", "Mor Testesen")
    p.fill("#f-relation", "mor")
    p.fill("#f-consent_date", local_today().isoformat())
    p.set_input_files("#f-file", str(consent))
    page.click("button:has-text('Last opp samtykke')")
    assert "Stafettloggen er aktiv" in p.content() and "Samtale med mor" in p.content()
    page.logout()

    # the unit leader prints the archive copy of a closed log and deletes it
    page.login("enhetsleder")
    page.click(".site-nav a:has-text('Min enhet')")
    page.click("a:has-text('Avsluttede logger og sletting')")
    page.screenshot("lifecycle-queue")
    page.click(f"tr:has-text('{closed.subject.name}') a:has-text('Slett')")
    page.click("a:has-text('Åpne arkivutskrift')")
    assert "Unntatt offentlighet, offentleglova § 13" in p.content() and "Sander var urolig" in p.content()
    page.screenshot("lifecycle-archive-print")
    p.emulate_media(media="print")
    p.pdf(path=str(tmp_path / "arkiv.pdf"))  # saves as PDF the way the browser does
    assert (tmp_path / "arkiv.pdf").read_bytes().startswith(b"%PDF")
    p.emulate_media(media="screen")
    page.click("a:has-text('Tilbake')")
    p.fill("#f-archive_waiver", "Arkivert på papir i enhetens arkiv")
    p.check("#f-confirm")
    page.click("button:has-text('Slett stafettloggen for godt')")
    assert "er slettet" in p.inner_text("main") and closed.subject.name not in p.inner_text("main")
    page.screenshot("lifecycle-deleted")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_unit_leader_deletes_a_passive_log_by_a_recorded_agreement(server_and_app, page, width):
    """seed 001: a passive log (the family agreed to keep it) is deleted only after a new
    agreement: with whom and when, asked on the delete form and kept without a name."""
    with server_and_app[1].app_context():
        passive = an_ended_log("passive", name="Ida Testesen")
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("enhetsleder")
    page.goto(f"/logger/{passive.id}/slett")
    p.fill("#f-archive_waiver", "Kopi i Visma")
    p.check("#f-confirm")
    page.click("button:has-text('Slett stafettloggen for godt')")
    assert "Velg hvem dere avtalte slettingen med." in p.inner_text("main")
    assert p.input_value("#f-archive_waiver") == "Kopi i Visma"
    p.check("input[name=agreed_with][value=guardian]")
    p.fill("#f-agreed_on", local_today().isoformat())
    p.check("#f-confirm")
    page.screenshot(f"lifecycle-delete-passive-{width}")
    page.click("button:has-text('Slett stafettloggen for godt')")
    assert "er slettet" in p.inner_text("main") and "Ida Testesen" not in p.inner_text("main")
