"""Issue 6 in the browser: a guardian accepts an invitation, reads the log, sees the access
history and withdraws consent; the holder reopens with new consent; the unit leader
prints the archive and deletes. axe on every page, no console errors or CSP violations."""

from stafettlogg.dates import local_today
from tests.files import pdf


def _click(page, selector):
    page.page.click(selector)
    page.page.wait_for_load_state("networkidle")
    page.check()


def test_guardian_invitation_view_withdraw_reopen_archive_delete(page, tmp_path):
    p = page.page
    # the holder invites Tor Hansen (no e-mail: the link is shown to copy or print)
    page.login("stafettholder")
    page.goto("/logger/1")
    _click(page, "a:has-text('Tilgang for foresatte')")
    _click(page, "tr:has-text('Tor Hansen') button:has-text('Lag invitasjon')")
    link = p.input_value("#invitation-link")
    assert "/invitasjon/" in link
    code = p.inner_text(".invitation-code__digits")  # given by phone, not with the link
    page.screenshot("lifecycle-invitation")
    page.goto("/logger/1/familieversjon")
    assert "Hvem gjør hva, og når?" in p.content() and "Unntatt offentlighet" in p.content()
    page.screenshot("lifecycle-family-print")
    page.goto("/logger/1/avslutt")  # the close form (not submitted here)
    page.screenshot("lifecycle-close-form")
    page.goto("/logger/1")
    page.logout()

    # the guardian accepts: chooses a username and password, lands in the log
    page.goto(link[link.index("/invitasjon/") :])
    p.fill("#f-code", code)
    p.fill("#f-username", "tor.hansen")
    p.fill("#f-password", "far leser avisen hver morgen")
    p.fill("#f-repeat", "far leser avisen hver morgen")
    _click(page, "button:has-text('Lag bruker og åpne loggen')")
    assert p.url.endswith("/mine/1")
    text = p.inner_text("main")
    assert "Kari Ottesen" in text and "Hvem gjør hva, og når?" in text and "Samtale med mor" not in text
    page.screenshot("lifecycle-guardian-view")
    _click(page, "a:has-text('Se hvem som har lest eller endret loggen')")
    assert "Deltaker" in p.inner_text("main") and "Helsestasjonen sentrum" in p.inner_text("main")
    page.screenshot("lifecycle-access-history")
    _click(page, "a:has-text('Tilbake til loggen')")
    _click(page, "a:has-text('Be om at loggen slettes')")  # looked at, not sent
    _click(page, "a:has-text('Avbryt')")
    _click(page, "a:has-text('Trekk samtykket tilbake')")
    _click(page, "button:has-text('Trekk samtykket tilbake')")  # without the tick: an error, nothing changes
    assert "Kryss av" in p.inner_text("main")
    p.check("#f-confirm")
    _click(page, "button:has-text('Trekk samtykket tilbake')")
    assert "Samtykket er trukket tilbake" in p.inner_text("main") and "Avsluttet" in p.inner_text("main")
    page.logout()

    # the holder reopens with a new consent; the history is all there
    page.login("stafettholder")
    page.goto("/logger/1/avslutt")
    _click(page, "button:has-text('Gjenåpne og last opp nytt samtykke')")
    assert p.url.endswith("/logger/1/samtykke")
    consent = tmp_path / "samtykke.pdf"
    consent.write_bytes(pdf())
    p.fill("#f-given_by_name", "Fatima Hansen")
    p.fill("#f-relation", "mor")
    p.fill("#f-consent_date", local_today().isoformat())
    p.set_input_files("#f-file", str(consent))
    _click(page, "button:has-text('Last opp samtykke')")
    assert "Stafettloggen er aktiv" in p.content() and "Samtale med mor" in p.content()
    page.logout()

    # the unit leader prints the archive copy of a closed log and deletes it
    page.login("enhetsleder")
    _click(page, ".site-nav a:has-text('Min enhet')")
    _click(page, "a:has-text('Avsluttede logger og sletting')")
    page.screenshot("lifecycle-queue")
    _click(page, "tr:has-text('Oskar Nilsen') a:has-text('Slett')")
    _click(page, "a:has-text('Åpne arkivutskrift')")
    assert "Unntatt offentlighet, offentleglova § 13" in p.content() and "Oskar var urolig" in p.content()
    page.screenshot("lifecycle-archive-print")
    p.emulate_media(media="print")
    p.pdf(path=str(tmp_path / "arkiv.pdf"))  # saves as PDF the way the browser does
    assert (tmp_path / "arkiv.pdf").read_bytes().startswith(b"%PDF")
    p.emulate_media(media="screen")
    _click(page, "a:has-text('Tilbake')")
    p.fill("#f-archive_waiver", "Arkivert på papir i enhetens arkiv")
    p.check("#f-confirm")
    _click(page, "button:has-text('Slett stafettloggen for godt')")
    assert "er slettet" in p.inner_text("main") and "Oskar Nilsen" not in p.inner_text("main")
    page.screenshot("lifecycle-deleted")
