"""Plain-language checker (seed 001, «Rutine om bruk av Stafettlogg»): a corpus per rule in
bokmål and nynorsk, LIX, robustness, and the ``klarsprak`` command."""

import json
import tomllib
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
from click.testing import CliRunner

from stafettlogg.klarsprak import BANDS, RULES, Hint, band, check, lix
from stafettlogg.klarsprak.command import klarsprak_command

KNOWN = ("Ola Hansen", "Kari Hansen")
RULES_DIR = Path(__file__).resolve().parent.parent / "stafettlogg" / "klarsprak" / "rules"

# (form, rule, sentence, the exact words the hint must cover)
FIRES = [
    # passive: s-passive, modal + s-passive, bli/vert + participle
    ("nb", "passive", "Søknaden behandles av rektor.", "behandles"),
    ("nb", "passive", "Saken vurderes i neste møte.", "vurderes"),
    ("nb", "passive", "Tiltaket gjennomføres i januar.", "gjennomføres"),
    ("nb", "passive", "Planen skal evalueres i mai.", "evalueres"),
    ("nb", "passive", "Planen må følges opp av skolen.", "følges"),
    ("nb", "passive", "Ola henvises til helsesykepleier.", "henvises"),
    ("nb", "passive", "Det bør tas kontakt med mor.", "tas"),
    ("nb", "passive", "Undersøkes Ola hos legen?", "Undersøkes"),
    ("nb", "passive", "Planen skal fjernes fra permen.", "fjernes"),
    ("nb", "passive", "Ola ble undersøkt av legen.", "ble undersøkt"),
    ("nb", "passive", "Møtet blir ikke holdt i dag.", "blir ikke holdt"),
    ("nb", "passive", "Ola har blitt kartlagt.", "har blitt kartlagt"),
    ("nb", "passive", "Det ble laget en plan.", "ble laget"),
    ("nb", "passive", "Møtet ble utsatt til mai.", "ble utsatt"),
    ("nb", "passive", "Hva ble bestemt på møtet?", "ble bestemt"),
    ("nn", "passive", "Planen skal vurderast i mai.", "vurderast"),
    ("nn", "passive", "Arbeidet utførast i dag.", "utførast"),
    ("nn", "passive", "Tiltaket må gjennomførast før jul.", "gjennomførast"),
    ("nn", "passive", "Dette bør ikkje endrast.", "endrast"),
    ("nn", "passive", "Planen er laga for å brukast heime.", "brukast"),
    ("nn", "passive", "Ola vart undersøkt av legen.", "vart undersøkt"),
    ("nn", "passive", "Møtet vert ikkje halde i dag.", "vert ikkje halde"),
    ("nn", "passive", "Saka vart teke opp på møtet.", "vart teke"),
    ("nn", "passive", "Ola vart henta klokka 15.", "vart henta"),
    ("nn", "passive", "Det blei sendt ei melding til mor.", "blei sendt"),
    # stative and perfect passive
    ("nb", "passive", "Saken er sendt til PPT.", "er sendt"),
    ("nb", "passive", "Ola har blitt vurdert av PPT.", "har blitt vurdert"),
    ("nb", "passive", "Brevet er skrevet.", "er skrevet"),
    ("nb", "passive", "Planen har ikke blitt fulgt opp.", "har ikke blitt fulgt"),
    ("nb", "passive", "Ola er blitt undersøkt av legen.", "er blitt undersøkt"),
    ("nb", "passive", "Det er bestemt at Ola får hjelp.", "er bestemt"),
    ("nb", "passive", "Møtet er avlyst.", "er avlyst"),
    ("nb", "passive", "Søknaden var allerede behandlet.", "var allerede behandlet"),
    ("nb", "passive", "Ola er henvist til BUP.", "er henvist"),
    ("nb", "passive", "Saken hadde vært vurdert før.", "hadde vært vurdert"),
    ("nb", "passive", "Boka er lest, og Ola er hentet.", "er hentet"),
    ("nb", "passive", "Er det avtalt et nytt møte?", "Er det avtalt"),
    ("nn", "passive", "Ola vart send til legen.", "vart send"),
    ("nn", "passive", "Saka er send til PPT.", "er send"),
    ("nn", "passive", "Brevet er sendt til mor.", "er sendt"),
    ("nn", "passive", "Ola er henta av mor.", "er henta"),
    ("nn", "passive", "Planen har vorte vurdert.", "har vorte vurdert"),
    ("nn", "passive", "Ola har blitt vurdert av PPT.", "har blitt vurdert"),
    ("nn", "passive", "Møtet er avlyst.", "er avlyst"),
    ("nn", "passive", "Det er bestemt at Ola får hjelp.", "er bestemt"),
    ("nn", "passive", "Saka var ikkje avklara.", "var ikkje avklara"),
    ("nn", "passive", "Ola er tilvist til BUP.", "er tilvist"),
    ("nn", "passive", "Brevet er skriven.", "er skriven"),
    # nominal style: a light verb and a verb made into a noun
    ("nb", "nominal", "Vi skal foreta en vurdering av Ola.", "foreta en vurdering av"),
    ("nb", "nominal", "PPT vil gjennomføre en kartlegging i mai.", "gjennomføre en kartlegging"),
    ("nb", "nominal", "Skolen iverksetter tiltak i januar.", "iverksetter tiltak"),
    ("nb", "nominal", "Legen foretok en grundig undersøkelse av Ola.", "foretok en grundig undersøkelse av"),
    ("nb", "nominal", "Vi gjennomførte kartleggingen i går.", "gjennomførte kartleggingen"),
    ("nb", "nominal", "Kari utfører en registrering hver dag.", "utfører en registrering"),
    ("nb", "nominal", "Vi gjør en ny evaluering i juni.", "gjør en ny evaluering"),
    ("nb", "nominal", "Helsesykepleier gjennomfører en samtale med Ola.", "gjennomfører en samtale"),
    ("nb", "nominal", "Kari foretar en henvisning til BUP.", "foretar en henvisning"),
    ("nb", "nominal", "Vi må ta en avgjørelse om skolestart.", "ta en avgjørelse"),
    ("nb", "nominal", "Mor ga uttrykk for at Ola gruer seg.", "ga uttrykk for"),
    ("nb", "nominal", "Ola har behov for hjelp i lesing.", "har behov for"),
    ("nn", "nominal", "PPT vil gjennomføre ei kartlegging i mai.", "gjennomføre ei kartlegging"),
    ("nn", "nominal", "Vi skal føreta ei vurdering av Ola.", "føreta ei vurdering av"),
    ("nn", "nominal", "Skulen iverkset tiltak i januar.", "iverkset tiltak"),
    ("nn", "nominal", "Legen gjennomførte ei grundig undersøking av Ola.", "gjennomførte ei grundig undersøking av"),
    ("nn", "nominal", "Kari utfører ei registrering kvar dag.", "utfører ei registrering"),
    ("nn", "nominal", "Vi gjer ei ny evaluering i juni.", "gjer ei ny evaluering"),
    ("nn", "nominal", "Helsesjukepleiaren gjennomfører ein samtale med Ola.", "gjennomfører ein samtale"),
    ("nn", "nominal", "Vi må ta ei avgjerd om skulestart.", "ta ei avgjerd"),
    ("nn", "nominal", "Mor gav uttrykk for at Ola gruer seg.", "gav uttrykk for"),
    ("nn", "nominal", "Ola har behov for hjelp i lesing.", "har behov for"),
    ("nn", "nominal", "Vi gjennomførte kartlegginga i går.", "gjennomførte kartlegginga"),
    # negations: "ikke" + a negative word, a negated negative verb, double negation
    ("nb", "negation", "Ola har ikke problemer med lesing.", "ikke problemer"),
    ("nb", "negation", "Ola mistrives ikke i klassen.", "mistrives ikke"),
    ("nb", "negation", "Ola gruer seg ikke til turen.", "gruer seg ikke"),
    ("nb", "negation", "Det er ikke uvanlig at Ola er trøtt.", "ikke uvanlig"),
    ("nb", "negation", "Ola har ingen problemer i friminuttet.", "ingen problemer"),
    ("nb", "negation", "Det er ikke slik at Ola ikke vil.", "ikke slik at Ola ikke"),
    ("nb", "negation", "Ola er ikke urolig i samlingen.", "ikke urolig"),
    ("nb", "negation", "Mor sier at Ola ikke misliker skolen.", "ikke misliker"),
    ("nb", "negation", "Det var ikke noe problem.", "ikke noe problem"),
    ("nb", "negation", "Ola leser ikke dårlig.", "ikke dårlig"),
    ("nb", "negation", "Ola kommer ikke uten mor.", "ikke uten"),
    ("nb", "negation", "Ola sliter ikke med matte.", "sliter ikke"),
    ("nn", "negation", "Ola har ikkje problem med lesinga.", "ikkje problem"),
    ("nn", "negation", "Ola mistrivst ikkje i klassen.", "mistrivst ikkje"),
    ("nn", "negation", "Ola gruer seg ikkje til turen.", "gruer seg ikkje"),
    ("nn", "negation", "Det er ikkje uvanleg at Ola er trøytt.", "ikkje uvanleg"),
    ("nn", "negation", "Ola har ingen problem i friminuttet.", "ingen problem"),
    ("nn", "negation", "Det er ikkje slik at Ola ikkje vil.", "ikkje slik at Ola ikkje"),
    ("nn", "negation", "Ola er ikkje uroleg i samlinga.", "ikkje uroleg"),
    ("nn", "negation", "Mor seier at Ola ikkje mislikar skulen.", "ikkje mislikar"),
    ("nn", "negation", "Det var ikkje noko problem.", "ikkje noko problem"),
    ("nn", "negation", "Ola les ikkje dårleg.", "ikkje dårleg"),
    ("nn", "negation", "Ola kjem ikkje utan mor.", "ikkje utan"),
    # vague time and extent
    ("nb", "vague_time", "Mor ringer snarest.", "snarest"),
    ("nb", "vague_time", "Vi tar kontakt så snart som mulig.", "så snart som mulig"),
    ("nb", "vague_time", "Ola får hjelp i den grad det er mulig.", "i den grad det er mulig"),
    ("nb", "vague_time", "Vi justerer planen etter hvert.", "etter hvert"),
    ("nb", "vague_time", "Vi øker tiden etter hvert som Ola blir trygg.", "etter hvert som"),
    ("nb", "vague_time", "Ola får ekstra hjelp ved behov.", "ved behov"),
    ("nb", "vague_time", "Målet er at Ola leser selv på sikt.", "på sikt"),
    ("nb", "vague_time", "Vi evaluerer fortløpende.", "fortløpende"),
    ("nb", "vague_time", "Vi møtes med jevne mellomrom.", "med jevne mellomrom"),
    ("nb", "vague_time", "Vi har et nytt møte i nær framtid.", "i nær framtid"),
    ("nb", "vague_time", "Kari ringer straks.", "straks"),
    ("nb", "vague_time", "Svar kommer innen rimelig tid.", "innen rimelig tid"),
    ("nb", "vague_time", "Snarest mulig får Ola svar.", "Snarest mulig"),
    ("nn", "vague_time", "Mor ringjer snarast.", "snarast"),
    ("nn", "vague_time", "Vi justerer planen etter kvart.", "etter kvart"),
    ("nn", "vague_time", "Ola får hjelp ved behov.", "ved behov"),
    ("nn", "vague_time", "Vi evaluerer fortløpande.", "fortløpande"),
    ("nn", "vague_time", "Ola får hjelp i den grad det er mogleg.", "i den grad det er mogleg"),
    ("nn", "vague_time", "Vi møtest med jamne mellomrom.", "med jamne mellomrom"),
    ("nn", "vague_time", "Vi tek kontakt så snart som mogleg.", "så snart som mogleg"),
    ("nb", "vague_time", "Vi har et nytt møte i nær fremtid.", "i nær fremtid"),
    ("nb", "vague_time", "Vi prøver igjen om ei tid.", "om ei tid"),
    ("nb", "vague_time", "Vi prøver igjen om en tid.", "om en tid"),
    ("nb", "vague_time", "Mor får svar om ikke lenge.", "om ikke lenge"),
    ("nb", "vague_time", "Vi ringer med det første.", "med det første"),
    ("nb", "vague_time", "Vi ønsker et snarlig svar.", "snarlig"),
    ("nb", "vague_time", "Ola får en ny plan i tiden som kommer.", "i tiden som kommer"),
    ("nn", "vague_time", "Vi prøver igjen om ei tid.", "om ei tid"),
    ("nn", "vague_time", "Vi har eit nytt møte i nær framtid.", "i nær framtid"),
    ("nn", "vague_time", "Vi har eit nytt møte i nær fremtid.", "i nær fremtid"),
    ("nn", "vague_time", "Mor får svar om ikkje lenge.", "om ikkje lenge"),
    ("nn", "vague_time", "Vi ringjer om ein stund.", "om ein stund"),
    ("nn", "vague_time", "Vi ønskjer eit snarleg svar.", "snarleg"),
    # abbreviations: whole tokens only, acronyms case-sensitive
    ("nb", "abbreviation", "Ola skal evt. begynne i august.", "evt."),
    ("nb", "abbreviation", "Ola går i bhg hver dag.", "bhg"),
    ("nb", "abbreviation", "Vi har møte med PPT på fredag.", "PPT"),
    ("nb", "abbreviation", "Mor har fått time hos BUP.", "BUP"),
    ("nb", "abbreviation", "Saken er meldt til KE.", "KE"),
    ("nb", "abbreviation", "Ola har en IP fra i fjor.", "IP"),
    ("nb", "abbreviation", "Vi lager en IUP for Ola.", "IUP"),
    ("nb", "abbreviation", "Ola har IOP i matte.", "IOP"),
    ("nb", "abbreviation", "Vi leser f.eks. bøker om dyr.", "f.eks."),
    ("nb", "abbreviation", "Ola leser ca. to sider.", "ca."),
    ("nb", "abbreviation", "Ped.leder ringer mor.", "Ped.leder"),
    ("nb", "abbreviation", "Vi møtes kl. to på fredag.", "kl."),
    ("nb", "abbreviation", "IP-møtet er på mandag.", "IP"),
    ("nb", "abbreviation", "Dette gjelder bl.a. lesing.", "bl.a."),
    ("nb", "abbreviation", "Mor ringer pga. sykdom.", "pga."),
    ("nb", "abbreviation", "Ola kommer BHG i morgen.", "BHG"),
    ("nn", "abbreviation", "Vi les t.d. bøker om dyr.", "t.d."),
    ("nn", "abbreviation", "Dette gjeld m.a. lesing.", "m.a."),
    ("nn", "abbreviation", "Vi les, skriv osb. kvar dag.", "osb."),
    ("nn", "abbreviation", "Ola går i bhg kvar dag.", "bhg"),
    ("nn", "abbreviation", "Vi har møte med PPT på fredag.", "PPT"),
    # abbreviations that are not a time or number convention keep firing
    ("nb", "abbreviation", "Iht. planen leser Ola hver dag.", "Iht."),
    ("nb", "abbreviation", "Vi skrev til mor vedr. leseplanen.", "vedr."),
    ("nb", "abbreviation", "Ola kom m/ far i dag.", "m/"),
    ("nb", "abbreviation", "Ola kom m/far i dag.", "m/"),
    ("nb", "abbreviation", "Vi møtte fam. Hansen kl. 10.", "fam."),
    ("nb", "abbreviation", "Ola går på tur u/ lue.", "u/"),
    ("nb", "abbreviation", "Mor, far m.fl. var med.", "m.fl."),
    ("nb", "abbreviation", "Vi spiste kl. ett.", "kl."),
    ("nb", "abbreviation", "Vi tok med div. leker.", "div."),
    ("nn", "abbreviation", "Iht. planen les Ola kvar dag.", "Iht."),
    ("nn", "abbreviation", "Vi skreiv til mor vedr. leseplanen.", "vedr."),
    ("nn", "abbreviation", "Ola kom m/ far i dag.", "m/"),
    ("nn", "abbreviation", "Vi møtte fam. Hansen kl. 10.", "fam."),
    ("nn", "abbreviation", "Ola går på tur u/ lue.", "u/"),
    ("nn", "abbreviation", "Vi møtest kl. to.", "kl."),
    # vague actors
    ("nb", "vague_actor", "Man må ringe mor.", "Man"),
    ("nb", "vague_actor", "Her må man passe på.", "man"),
    ("nb", "vague_actor", "En bør ringe mor i morgen.", "En"),
    ("nb", "vague_actor", "Noen må ta kontakt med mor.", "Noen"),
    ("nb", "vague_actor", "Det skal lages en plan.", "Det skal"),
    ("nb", "vague_actor", "Det må tas kontakt med skolen.", "Det må"),
    ("nb", "vague_actor", "Det bør vurderes en ny plan.", "Det bør"),
    ("nb", "vague_actor", "Det må også bli laget en plan.", "Det må"),
    ("nb", "vague_actor", "Skolen tar kontakt med mor.", "Skolen"),
    ("nb", "vague_actor", "Barnehagen skal lage en plan.", "Barnehagen"),
    ("nb", "vague_actor", "Hvis en ser at Ola er lei seg, ringer vi mor.", "en"),
    ("nn", "vague_actor", "Ein bør ringje mor.", "Ein"),
    ("nn", "vague_actor", "Nokon må ta kontakt med mor.", "Nokon"),
    ("nn", "vague_actor", "Det må lagast ein plan.", "Det må"),
    ("nn", "vague_actor", "Det skal vurderast om Ola treng hjelp.", "Det skal"),
    ("nn", "vague_actor", "Skulen tek kontakt med helsesjukepleiaren.", "Skulen"),
    ("nn", "vague_actor", "Man må ringje.", "Man"),
    # long sentences (21 words or more): the hint covers the sentence
    (
        "nb",
        "long_sentence",
        "Kort først. Ola og Kari leser sammen i biblioteket hver mandag og onsdag etter skolen, og mor henter dem klokka fire etterpå ute.",
        "Ola og Kari leser sammen i biblioteket hver mandag og onsdag etter skolen, og mor henter dem klokka fire etterpå ute.",
    ),
    (
        "nb",
        "long_sentence",
        "Kari har snakket med helsesykepleier om at Ola sover dårlig om natten, og de ble enige om å prøve en fast leggetid i tre uker.",
        "Kari har snakket med helsesykepleier om at Ola sover dårlig om natten, og de ble enige om å prøve en fast leggetid i tre uker.",
    ),
    (
        "nb",
        "long_sentence",
        "Læreren forteller at Ola har begynt å rekke opp hånda i timene og at han nå svarer på spørsmål i norsk og matematikk nesten hver dag.",
        "Læreren forteller at Ola har begynt å rekke opp hånda i timene og at han nå svarer på spørsmål i norsk og matematikk nesten hver dag.",
    ),
    (
        "nb",
        "long_sentence",
        "- Mor, far, lærer og helsesykepleier møtes tirsdag 4. mars klokka 14 på skolen for å snakke om leseplanen og om hvordan det går i friminuttene",
        "Mor, far, lærer og helsesykepleier møtes tirsdag 4. mars klokka 14 på skolen for å snakke om leseplanen og om hvordan det går i friminuttene",
    ),
    (
        "nb",
        "long_sentence",
        "Ola skal ha f.eks. lesetrening med Kari to ganger i uka, og etter seks uker ser vi på om han leser flere ord enn før.",
        "Ola skal ha f.eks. lesetrening med Kari to ganger i uka, og etter seks uker ser vi på om han leser flere ord enn før.",
    ),
    (
        "nb",
        "long_sentence",
        "Når Ola kommer i barnehagen om morgenen, tar den pedagogiske lederen imot ham ved døra og de går sammen inn til frokosten hver eneste dag?",
        "Når Ola kommer i barnehagen om morgenen, tar den pedagogiske lederen imot ham ved døra og de går sammen inn til frokosten hver eneste dag?",
    ),
    (
        "nn",
        "long_sentence",
        "Kari har snakka med helsesjukepleiaren om at Ola søv dårleg om natta, og dei vart samde om å prøve ei fast leggjetid i tre veker.",
        "Kari har snakka med helsesjukepleiaren om at Ola søv dårleg om natta, og dei vart samde om å prøve ei fast leggjetid i tre veker.",
    ),
    (
        "nn",
        "long_sentence",
        "Læraren fortel at Ola har byrja å rekkje opp handa i timane og at han no svarar på spørsmål i norsk og matematikk nesten kvar dag.",
        "Læraren fortel at Ola har byrja å rekkje opp handa i timane og at han no svarar på spørsmål i norsk og matematikk nesten kvar dag.",
    ),
    (
        "nn",
        "long_sentence",
        "Når Ola kjem i barnehagen om morgonen, tek den pedagogiske leiaren imot han ved døra og dei går saman inn til frukosten kvar einaste dag.",
        "Når Ola kjem i barnehagen om morgonen, tek den pedagogiske leiaren imot han ved døra og dei går saman inn til frukosten kvar einaste dag.",
    ),
    (
        "nn",
        "long_sentence",
        "Ola skal ha t.d. lesetrening med Kari to gonger i veka, og etter seks veker ser vi på om han les fleire ord enn før.",
        "Ola skal ha t.d. lesetrening med Kari to gonger i veka, og etter seks veker ser vi på om han les fleire ord enn før.",
    ),
    # old-fashioned official words
    ("nb", "old_fashioned", "Angående møtet ringer Kari.", "Angående"),
    ("nb", "old_fashioned", "Vi leser samt skriver.", "samt"),
    ("nb", "old_fashioned", "Vi snakket vedrørende planen.", "vedrørende"),
    ("nb", "old_fashioned", "Planen er således ferdig.", "således"),
    ("nb", "old_fashioned", "Det er påkrevd med samtykke.", "påkrevd"),
    ("nb", "old_fashioned", "Alle fag, herunder norsk, er med.", "herunder"),
    ("nb", "old_fashioned", "Vi vurderer hvorvidt Ola trenger hjelp.", "hvorvidt"),
    ("nb", "old_fashioned", "Vi jobber i henhold til planen.", "i henhold til"),
    ("nb", "old_fashioned", "Mor sendte en henvendelse til skolen.", "henvendelse"),
    ("nb", "old_fashioned", "Det foreligger en plan.", "foreligger"),
    ("nb", "old_fashioned", "Vi vil iverksette tiltaket i mai.", "iverksette"),
    ("nb", "old_fashioned", "Vi benytter rommet på fredag.", "benytter"),
    ("nb", "old_fashioned", "Ola får bistand i lesing.", "bistand"),
    ("nb", "old_fashioned", "Ola var borte grunnet sykdom.", "grunnet"),
    ("nb", "old_fashioned", "Vi skal for øvrig møtes i mai.", "for øvrig"),
    ("nn", "old_fashioned", "Vi snakka vedkomande planen.", "vedkomande"),
    ("nn", "old_fashioned", "Sjå planen, jamfør vedtaket.", "jamfør"),
    ("nn", "old_fashioned", "Ola får særskild hjelp.", "særskild"),
    ("nn", "old_fashioned", "Vi vil iverksetje tiltaket.", "iverksetje"),
    ("nn", "old_fashioned", "Mor sende ein førespurnad.", "førespurnad"),
    ("nn", "old_fashioned", "Ola treng ytterlegare hjelp.", "ytterlegare"),
    # more of the Kanselli list: -værende, under- and på- words
    ("nb", "old_fashioned", "Daværende rektor ringte mor.", "Daværende"),
    ("nb", "old_fashioned", "Nåværende plan gjelder til mai.", "Nåværende"),
    ("nb", "old_fashioned", "Alle tilstedeværende fikk planen.", "tilstedeværende"),
    ("nb", "old_fashioned", "Planen er undertegnet av mor.", "undertegnet"),
    ("nb", "old_fashioned", "Mor fikk underretning om møtet.", "underretning"),
    ("nb", "old_fashioned", "Datoen er påført skjemaet.", "påført"),
    ("nb", "old_fashioned", "Ansvaret påhviler skolen.", "påhviler"),
    ("nb", "old_fashioned", "Far påpekte at Ola sover dårlig.", "påpekte"),
    ("nb", "old_fashioned", "Vi leste planen, hvorpå mor ringte.", "hvorpå"),
    ("nb", "old_fashioned", "Det foreliggende vedtaket gjelder.", "foreliggende"),
    ("nn", "old_fashioned", "Dåverande rektor ringde mor.", "Dåverande"),
    ("nn", "old_fashioned", "Planen er underteikna av mor.", "underteikna"),
    ("nn", "old_fashioned", "Datoen er påført skjemaet.", "påført"),
    ("nn", "old_fashioned", "Ansvaret påkviler skulen.", "påkviler"),
    ("nn", "old_fashioned", "Far påpeikte at Ola søv dårleg.", "påpeikte"),
    ("nn", "old_fashioned", "Alle tilstadeverande fekk planen.", "tilstadeverande"),
    ("nn", "old_fashioned", "Vi les samt skriv.", "samt"),
    # loaded or negative words
    ("nb", "negative", "Ola er et problembarn.", "problembarn"),
    ("nb", "negative", "Han er et vanskelig barn.", "vanskelig barn"),
    ("nb", "negative", "Ola har atferdsproblemer.", "atferdsproblemer"),
    ("nb", "negative", "Det er umulig å få Ola med.", "umulig"),
    ("nb", "negative", "Ola er lat.", "lat"),
    ("nb", "negative", "Ola er uinteressert i lesing.", "uinteressert"),
    ("nb", "negative", "Ola er sta.", "sta"),
    ("nb", "negative", "Ola var trassig i dag.", "trassig"),
    ("nb", "negative", "Ola er aggressiv.", "aggressiv"),
    ("nb", "negative", "Ola er bråkete.", "bråkete"),
    ("nb", "negative", "Ola hadde en dårlig dag.", "dårlig"),
    ("nb", "negative", "Ola er en svak elev.", "svak elev"),
    ("nb", "negative", "Ola klarer ikke å sitte stille.", "klarer ikke"),
    ("nb", "negative", "Ola nekter å spise.", "nekter"),
    ("nb", "negative", "Ola er alltid sen.", "alltid"),
    ("nb", "negative", "Ola var urolig i samlingen.", "urolig"),
    ("nn", "negative", "Ola hadde ein dårleg dag.", "dårleg"),
    ("nn", "negative", "Han er eit vanskeleg barn.", "vanskeleg barn"),
    ("nn", "negative", "Ola klarer ikkje å sitje stille.", "klarer ikkje"),
    ("nn", "negative", "Ola nektar å ete.", "nektar"),
    ("nn", "negative", "Ola er lat i dag.", "er lat"),
    # labels for children
    ("nb", "negative", "Ola er en bråkebøtte.", "bråkebøtte"),
    ("nb", "negative", "Han er en urolig gutt.", "urolig gutt"),
    ("nb", "negative", "Hun er ei urolig jente.", "urolig jente"),
    ("nb", "negative", "Ola er en urokråke i samlingen.", "urokråke"),
    ("nb", "negative", "Han er et krevende barn.", "krevende barn"),
    ("nb", "negative", "Ola er en villbasse.", "villbasse"),
    ("nb", "negative", "Ola er bortskjemt.", "bortskjemt"),
    ("nb", "negative", "Ola er sutrete om morgenen.", "sutrete"),
    ("nb", "negative", "Ola er klassens klovn.", "klassens klovn"),
    ("nb", "negative", "Han er en problemelev.", "problemelev"),
    ("nb", "negative", "Ola var hissig i friminuttet.", "hissig"),
    ("nn", "negative", "Ola er ei bråkebøtte.", "bråkebøtte"),
    ("nn", "negative", "Han er ein uroleg gut.", "uroleg gut"),
    ("nn", "negative", "Ho er ei uroleg jente.", "uroleg jente"),
    ("nn", "negative", "Ola er ei urokråke i samlinga.", "urokråke"),
    ("nn", "negative", "Han er eit krevjande barn.", "krevjande barn"),
    ("nn", "negative", "Ola er ein villbasse.", "villbasse"),
    ("nn", "negative", "Ola er bortskjemd.", "bortskjemd"),
    ("nn", "negative", "Ola er sutrete om morgonen.", "sutrete"),
    ("nn", "negative", "Ola er klovnen i klassen.", "klovnen i klassen"),
    ("nn", "negative", "Han er ein problemelev.", "problemelev"),
    # other persons: names that are not the child, a guardian or a participant
    ("nb", "other_person", "Vi snakket med Per i går.", "Per"),
    ("nb", "other_person", "Jonas kom sent i dag.", "Jonas"),
    ("nb", "other_person", "Ola lekte med Emma i dag.", "Emma"),
    ("nb", "other_person", "Ola lekte med Lise.", "Lise"),
    ("nb", "other_person", "Mor og Kari Nordmann kom.", "Kari Nordmann"),
    ("nb", "other_person", "Ola var hos Per Olsen i helgen.", "Per Olsen"),
    ("nb", "other_person", "Hun heter Anne-Lise Berg.", "Anne-Lise Berg"),
    ("nb", "other_person", "Ola og Pers mor spiste.", "Pers"),
    ("nb", "other_person", "Ola leker med Kevin.", "Kevin"),
    ("nb", "other_person", "«Martin slo meg», sa Ola.", "Martin"),
    ("nn", "other_person", "Vi snakka med Per i går.", "Per"),
    ("nn", "other_person", "Ola leika med Ingvild.", "Ingvild"),
    ("nn", "other_person", "Sigrun kom seint i dag.", "Sigrun"),
    # family words naming someone else than the child
    ("nb", "other_person", "Broren var med på møtet.", "Broren"),
    ("nb", "other_person", "Ola sov hos mormor i helgen.", "mormor"),
    ("nb", "other_person", "Mors nye samboer hentet Ola.", "Mors nye samboer"),
    ("nb", "other_person", "Ola leker med halvsøsteren sin.", "halvsøsteren"),
    ("nb", "other_person", "Halvsøster Emma kom også.", "Halvsøster Emma"),
    ("nb", "other_person", "Ola og storebroren går sammen.", "storebroren"),
    ("nb", "other_person", "Stefaren til Ola ringte.", "Stefaren"),
    ("nb", "other_person", "Bestefar har vært syk.", "Bestefar"),
    ("nb", "other_person", "Ola var hos tanten sin.", "tanten"),
    ("nb", "other_person", "Fars kjæreste var med.", "Fars kjæreste"),
    ("nb", "other_person", "Ola krangler med søsteren.", "søsteren"),
    ("nb", "other_person", "Hans bror går i første klasse.", "Hans bror"),
    ("nn", "other_person", "Broren var med på møtet.", "Broren"),
    ("nn", "other_person", "Ola sov hos mormor i helga.", "mormor"),
    ("nn", "other_person", "Mor sin nye sambuar henta Ola.", "Mor sin nye sambuar"),
    ("nn", "other_person", "Ola leikar med halvsystera si.", "halvsystera"),
    ("nn", "other_person", "Halvsyster Emma kom òg.", "Halvsyster Emma"),
    ("nn", "other_person", "Ola og storebroren går saman.", "storebroren"),
    ("nn", "other_person", "Stefaren til Ola ringde.", "Stefaren"),
    ("nn", "other_person", "Bestefar har vore sjuk.", "Bestefar"),
    ("nn", "other_person", "Ola var hos tanta si.", "tanta"),
    ("nn", "other_person", "Ola kranglar med systera.", "systera"),
]

# (form, rule, sentence) where the rule must stay quiet
QUIET = [
    # passive: -es words that are not passive, deponent verbs, adjectives after blir/ble
    ("nb", "passive", "Ola synes det er gøy å lese."),
    ("nb", "passive", "Ola trives i barnehagen."),
    ("nb", "passive", "Det finnes mange gode tilbud."),
    ("nb", "passive", "Dette skyldes at Ola var syk."),
    ("nb", "passive", "Hennes bror går i første klasse."),
    ("nb", "passive", "De foresattes samtykke ligger i loggen."),
    ("nb", "passive", "Deres datter går i klasse 2."),
    ("nb", "passive", "Ola er annerledes nå."),
    ("nb", "passive", "Vi leser en ukes tid hver kveld."),
    ("nb", "passive", "Elevenes timeplan er ny."),
    ("nb", "passive", "Lærernes møte er på tirsdag."),
    ("nb", "passive", "Les teksten høyt for Ola."),
    ("nb", "passive", "Mia er på tes og mes."),
    ("nb", "passive", "Prosessen med adressen går fint."),
    ("nb", "passive", "Hermes og Agnes leker med Ines og Moses."),
    ("nb", "passive", "Mors kjærestes bil står ute."),
    ("nb", "passive", "Alles innsats teller."),
    ("nb", "passive", "Barnehagens plan er klar."),
    ("nb", "passive", "Vi møtes igjen på fredag."),
    ("nb", "passive", "Ola ble glad og blid."),
    ("nb", "passive", "Det blir fint i morgen."),
    ("nb", "passive", "Ola blir kjent med nye barn."),
    ("nb", "passive", "Da ble barnet sint."),
    ("nb", "passive", "Hun blir student i høst."),
    ("nn", "passive", "Det finst mange gode tilbod."),
    ("nn", "passive", "Ola trivst i barnehagen."),
    ("nn", "passive", "Ola synest det er kjekt å lese."),
    ("nn", "passive", "Ola trivast godt."),
    ("nn", "passive", "Ho lukkast med oppgåva."),
    ("nn", "passive", "Vi møtast i morgon."),
    ("nn", "passive", "Det skuldast at Ola var sjuk."),
    ("nn", "passive", "Ola er raskast i klassen."),
    ("nn", "passive", "Det er viktigast at Ola et."),
    ("nn", "passive", "Dette er eit utkast til plan."),
    ("nn", "passive", "Vi kastar ball og last ned appen."),
    ("nn", "passive", "Ola vart glad og blid."),
    ("nn", "passive", "Då vart jenta sint."),
    # copula + adjective, perfect of verbs of motion, "fikk ros", genuine -st verbs
    ("nb", "passive", "Mor og far ble enige om planen."),
    ("nb", "passive", "Ola er glad i dag."),
    ("nb", "passive", "Ola fikk ros for lesingen."),
    ("nb", "passive", "Ola mistrives ikke i klassen."),
    ("nb", "passive", "Ola er kommet hjem igjen."),
    ("nb", "passive", "Familien er flyttet til Bergen."),
    ("nb", "passive", "Mor er bekymret for søvnen."),
    ("nb", "passive", "Foreldrene er skilt og bor hver for seg."),
    ("nb", "passive", "Det kan være lurt å lese før leggetid."),
    ("nb", "passive", "Hun er ansatt på skolen."),
    ("nb", "passive", "Ola er stolt av tegningen."),
    ("nb", "passive", "Det er trist, men Ola er trygg."),
    ("nb", "passive", "Det er barnet som bestemmer."),
    ("nb", "passive", "Ola er interessert i dinosaurer."),
    ("nb", "passive", "Det føles bra for Ola."),
    ("nn", "passive", "Mor og far vart samde om planen."),
    ("nn", "passive", "Ola er glad i dag."),
    ("nn", "passive", "Ola fekk ros for lesinga."),
    ("nn", "passive", "Ola mistrivst ikkje i klassen."),
    ("nn", "passive", "Ola er komen heim att."),
    ("nn", "passive", "Familien er flytta til Bergen."),
    ("nn", "passive", "Det er jenta som bestemmer."),
    ("nn", "passive", "Mor er uroa for søvnen."),
    ("nn", "passive", "Foreldra er skilde og bur kvar for seg."),
    ("nn", "passive", "Det kan vere lurt å lese før leggjetid."),
    ("nn", "passive", "Ola er best i klassen."),
    ("nn", "passive", "Ho er tilsett på skulen."),
    ("nn", "passive", "Det er lese- og skrivevanskar i familien."),
    ("nb", "passive", "Det er lese- og skrivevansker i familien."),
    # nominal style: verbs, nouns that are not verbs, light verbs without a verbal noun
    ("nb", "nominal", "Vi vurderer Ola i mai."),
    ("nb", "nominal", "PPT kartlegger lesingen."),
    ("nb", "nominal", "Ola gjorde en fin tegning."),
    ("nb", "nominal", "Vi gjennomfører en samling hver morgen."),
    ("nb", "nominal", "Ola gjør lekser med Kari."),
    ("nb", "nominal", "Kari utfører oppgaven sammen med Ola."),
    ("nb", "nominal", "Vi gjennomførte turen i regn."),
    ("nb", "nominal", "Det er en vurdering i planen."),
    ("nb", "nominal", "Ola har en plan for lesing."),
    ("nb", "nominal", "Vi gjorde en ting om gangen."),
    ("nn", "nominal", "Vi vurderer Ola i mai."),
    ("nn", "nominal", "PPT kartlegg lesinga."),
    ("nn", "nominal", "Ola gjorde ei fin teikning."),
    ("nn", "nominal", "Vi gjennomfører ei samling kvar morgon."),
    ("nn", "nominal", "Ola gjer lekser med Kari."),
    ("nn", "nominal", "Kari utfører oppgåva saman med Ola."),
    ("nn", "nominal", "Vi gjennomførte turen i regn."),
    ("nn", "nominal", "Det er ei vurdering i planen."),
    ("nn", "nominal", "Ola har ein plan for lesing."),
    ("nn", "nominal", "Vi gjorde ein ting om gongen."),
    # negations that are plain facts, and negations split by a clause
    ("nb", "negation", "Ola leser ikke ennå."),
    ("nb", "negation", "Mor kan ikke komme på møtet."),
    ("nb", "negation", "Ikke alle barn liker fisk."),
    ("nb", "negation", "Ola vil ikke, og mor er lei seg."),
    ("nb", "negation", "Ola leser ikke og skriver ikke i dag."),
    ("nb", "negation", "Ola spiser ikke fisk fordi han er redd for bein."),
    ("nb", "negation", "Ola var ikke med på turen."),
    ("nb", "negation", "Ola trives i klassen."),
    ("nb", "negation", "Ola har problemer med å sovne."),
    ("nb", "negation", "Ikke glem gymtøyet på fredag."),
    ("nb", "negation", "Ola ble ikke hentet før klokka 16, men var glad."),
    ("nn", "negation", "Ola les ikkje enno."),
    ("nn", "negation", "Mor kan ikkje kome på møtet."),
    ("nn", "negation", "Ikkje alle barn likar fisk."),
    ("nn", "negation", "Ola vil ikkje, og mor er lei seg."),
    ("nn", "negation", "Ola les ikkje og skriv ikkje i dag."),
    ("nn", "negation", "Ola et ikkje fisk fordi han er redd for bein."),
    ("nn", "negation", "Ola var ikkje med på turen."),
    ("nn", "negation", "Ola trivst i klassen."),
    ("nn", "negation", "Ola har problem med å sovne."),
    ("nn", "negation", "Ikkje gløym gymtøyet på fredag."),
    # vague time
    ("nb", "vague_time", "Mor ringer fredag 14. mars klokka 10."),
    ("nb", "vague_time", "Ola leser 20 minutter hver dag."),
    ("nb", "vague_time", "Vi møtes hver tredje tirsdag."),
    ("nb", "vague_time", "Kari hjelper Ola etter skolen."),
    ("nb", "vague_time", "Planen er en del av tiltaket."),
    ("nb", "vague_time", "Vi har behov for en ny plan."),
    ("nb", "vague_time", "Etter middag leser Ola."),
    ("nn", "vague_time", "Mor ringjer fredag 14. mars klokka 10."),
    ("nn", "vague_time", "Ola les 20 minutt kvar dag."),
    ("nn", "vague_time", "Etter kvar time har Ola pause."),
    ("nn", "vague_time", "Planen er ein del av tiltaket."),
    ("nb", "vague_time", "Vi møtes igjen om tre uker, tirsdag 4. mars."),
    ("nb", "vague_time", "Ola leser en gang i uka med Kari."),
    ("nb", "vague_time", "Ola var syk en tid i fjor."),
    ("nn", "vague_time", "Vi møtest igjen om tre veker, tysdag 4. mars."),
    ("nn", "vague_time", "Ola les ein gong i veka med Kari."),
    ("nn", "vague_time", "Ola var sjuk ei tid i fjor."),
    # abbreviations inside words, names that look like abbreviations
    ("nb", "abbreviation", "Han fikk tips om en god bok."),
    ("nb", "abbreviation", "Vi drakk kaffe på en cafe."),
    ("nb", "abbreviation", "KEVIN er navnet på katten."),
    ("nb", "abbreviation", "Vi skal ikke lese i dag."),
    ("nb", "abbreviation", "Ola har levt i Bergen hele livet."),
    ("nb", "abbreviation", "Mor og Ola har møte med Nav."),
    ("nb", "abbreviation", "Mor og Ola har møte med NAV."),
    ("nb", "abbreviation", "Send e-post til kari@bhg.no."),
    ("nb", "abbreviation", "Ola sier ip når han er glad."),
    ("nb", "abbreviation", "Vi leser kapittel to i boka."),
    ("nn", "abbreviation", "Vi drakk te på kafeen."),
    ("nn", "abbreviation", "Han fekk tips om ei god bok."),
    ("nn", "abbreviation", "Vi skal ikkje lese i dag."),
    # time, date and number conventions
    ("nb", "abbreviation", "Vi møtes kl. 14 på fredag."),
    ("nb", "abbreviation", "Vi møtes kl. 10 den 14. januar."),
    ("nb", "abbreviation", "Ola sitter på rom nr. 3."),
    ("nb", "abbreviation", "Møtet er kl.14.30 i dag."),
    ("nb", "abbreviation", "Møtet er kl 9 i morgen."),
    ("nb", "abbreviation", "Ring mor på tlf. 99 88 77 66."),
    ("nb", "abbreviation", "Vi leser kap. 3 i boka."),
    ("nb", "abbreviation", "Se pkt. 4 i planen."),
    ("nb", "abbreviation", "Mandag 3. februar er Ola borte."),
    ("nb", "abbreviation", "Møtet er Kl. 8.15 og Nr. 2 i rekka."),
    ("nn", "abbreviation", "Vi møtest kl. 10 den 14. januar."),
    ("nn", "abbreviation", "Ola sit på rom nr. 3."),
    ("nn", "abbreviation", "Møtet er kl.14.30 i dag."),
    ("nn", "abbreviation", "Ring mor på tlf. 99 88 77 66."),
    ("nn", "abbreviation", "Vi les kap. 3 i boka."),
    ("nn", "abbreviation", "Måndag 3. februar er Ola borte."),
    ("nn", "abbreviation", "Han har 3 m/s vind i ryggen."),
    # vague actors: "en" as an article, "noen" as a determiner, named actors
    ("nb", "vague_actor", "Vi fikk en plan i dag."),
    ("nb", "vague_actor", "En plan er klar."),
    ("nb", "vague_actor", "Noen barn leker ute."),
    ("nb", "vague_actor", "Kari ringer mor i morgen."),
    ("nb", "vague_actor", "Skolen har 200 elever."),
    ("nb", "vague_actor", "Barnehagen er stengt i juli."),
    ("nb", "vague_actor", "Det skal være en voksen til stede."),
    ("nb", "vague_actor", "Det kan hende Ola er trøtt."),
    ("nb", "vague_actor", "Helsesykepleier tar kontakt med mor."),
    ("nb", "vague_actor", "Ola fikk en ny venn."),
    ("nn", "vague_actor", "Vi fekk ein plan i dag."),
    ("nn", "vague_actor", "Ein gut kom inn."),
    ("nn", "vague_actor", "Nokre barn leikar ute."),
    ("nn", "vague_actor", "Skulen har mange elevar."),
    ("nn", "vague_actor", "Det skal vere ein vaksen til stades."),
    # long sentences: 20 words, several short sentences, abbreviations, bullets
    (
        "nb",
        "long_sentence",
        "Ola og Kari leser sammen i biblioteket hver mandag og onsdag etter skolen, og mor henter dem klokka fire etterpå.",
    ),
    (
        "nb",
        "long_sentence",
        "Ola leser. Kari skriver. Mor lager mat. Far rydder. Vi spiser klokka fem. Etterpå går vi tur i skogen.",
    ),
    (
        "nb",
        "long_sentence",
        "Ola leser hver dag! Kari skriver hver dag? Mor lager mat hver dag: far rydder hver dag. Vi spiser.",
    ),
    (
        "nb",
        "long_sentence",
        "Formål\nSikre at Ola får hjelp\nAnsvar\nKari og Ola\nHvordan\nKari leser med Ola hver dag klokka 14",
    ),
    (
        "nb",
        "long_sentence",
        "- Ola leser med Kari\n- Kari skriver med Ola\n- Mor ringer skolen\n- Far henter Ola\n- Vi møtes i mai",
    ),
    (
        "nb",
        "long_sentence",
        "Vi møtes kl. 14. Ola leser. Kari skriver. Mor lager mat. Far rydder. Vi spiser klokka fem.",
    ),
    (
        "nb",
        "long_sentence",
        "Dato\tVersjon\tGodkjenning og endring av rutinen\tMerknad\tSignatur\tDato\tVersjon\tGodkjenning\tMerknad",
    ),
    (
        "nn",
        "long_sentence",
        "Ola les. Kari skriv. Mor lagar mat. Far ryddar. Vi et klokka fem. Etterpå går vi tur i skogen.",
    ),
    (
        "nn",
        "long_sentence",
        "Ola og Kari les saman i biblioteket kvar måndag og onsdag etter skulen, og mor hentar dei klokka fire.",
    ),
    (
        "nn",
        "long_sentence",
        "Formål\nSikre at Ola får hjelp\nAnsvar\nKari og Ola\nKorleis\nKari les med Ola kvar dag klokka 14",
    ),
    # old-fashioned words: everyday words, and look-alikes inside other words
    ("nb", "old_fashioned", "Vi snakket om planen."),
    ("nb", "old_fashioned", "Kari og Ola leser."),
    ("nb", "old_fashioned", "Vi bruker rommet på fredag."),
    ("nb", "old_fashioned", "Ola får hjelp i lesing."),
    ("nb", "old_fashioned", "Vi jobber etter planen."),
    ("nb", "old_fashioned", "Samtalen gikk fint."),
    ("nb", "old_fashioned", "Ola var borte fordi han var syk."),
    ("nn", "old_fashioned", "Vi snakka om planen."),
    ("nn", "old_fashioned", "Sjå planen."),
    ("nn", "old_fashioned", "Ola får særleg hjelp."),
    ("nn", "old_fashioned", "Samtalen gjekk fint."),
    ("nb", "old_fashioned", "Ola er hjemme i dag."),
    ("nb", "old_fashioned", "Mor skrev under på planen."),
    ("nb", "old_fashioned", "Ola undersøker insektene."),
    ("nb", "old_fashioned", "Ola får påfyll av melk."),
    ("nb", "old_fashioned", "Ola hadde på seg lue."),
    ("nb", "old_fashioned", "Vi underviser Ola i norsk."),
    ("nn", "old_fashioned", "Mor skreiv under på planen."),
    ("nn", "old_fashioned", "Ola undersøkjer insekta."),
    ("nn", "old_fashioned", "Alle som var til stades, fekk planen."),
    ("nn", "old_fashioned", "Vi underviser Ola i norsk."),
    ("nn", "old_fashioned", "Ola er heime i dag."),
    ("nn", "old_fashioned", "Mor peika på at Ola søv dårleg."),
    # negative words: neutral descriptions and look-alikes
    ("nb", "negative", "Ola leser gjerne med Kari."),
    ("nb", "negative", "Ola øver på å vente på tur."),
    ("nb", "negative", "Stasjonen ligger nær skolen."),
    ("nb", "negative", "Latteren hans smitter."),
    ("nb", "negative", "Ola synes overganger er vanskelige."),
    ("nb", "negative", "Vi feiret bursdagen hans."),
    ("nb", "negative", "Ola var rolig i samlingen."),
    ("nb", "negative", "Ola får til å skrive navnet sitt."),
    ("nn", "negative", "Lat oss prøve igjen i morgon."),
    ("nn", "negative", "Ola får til å skrive namnet sitt."),
    ("nn", "negative", "Ola øver på å vente."),
    ("nb", "negative", "Ola ropte i samlingen to ganger."),
    ("nb", "negative", "Ola gikk fra bordet tre ganger."),
    ("nb", "negative", "Gutten leker med biler."),
    ("nb", "negative", "Ola spiller bøtte og spade."),
    ("nb", "negative", "Ola trenger hjelp i overganger."),
    ("nb", "negative", "Ola ler mye og har en klovnenese."),
    ("nb", "negative", "Ola taper ofte i sjakk og tar det fint."),
    ("nb", "negative", "Ola leser saktere enn før."),
    ("nn", "negative", "Ola ropte i samlinga to gonger."),
    ("nn", "negative", "Ola gjekk frå bordet tre gonger."),
    ("nn", "negative", "Guten leikar med bilar."),
    ("nn", "negative", "Ola treng hjelp i overgangar."),
    ("nn", "negative", "Ola spelar bøtte og spade."),
    ("nn", "negative", "Ola les seinare enn før."),
    ("nn", "negative", "Ola tapar ofte i sjakk og tek det fint."),
    # other persons: known names, places, services, ambiguous first names at the start
    ("nb", "other_person", "Kari leser med Ola hver dag klokka 14."),
    ("nb", "other_person", "Olas mor kom på besøk."),
    ("nb", "other_person", "Per dag leser Ola to sider."),
    ("nb", "other_person", "Hans sykkel står ute."),
    ("nb", "other_person", "Ola går på Solbakken barnehage."),
    ("nb", "other_person", "Ola har vært i Trondheim."),
    ("nb", "other_person", "Vi bruker Teams på mandag."),
    ("nb", "other_person", "Mor ringer Nav i mai."),
    ("nb", "other_person", "Ola og Kari Hansen leste."),
    ("nb", "other_person", "Adressen er Storgata 5."),
    ("nb", "other_person", "Møtet er på Fjellvollskolen."),
    ("nn", "other_person", "Kari les med Ola kvar dag."),
    ("nn", "other_person", "Ola bur i Noreg."),
    ("nn", "other_person", "Ola går på Solbakken skule."),
    # family words: the guardians, the child itself, and known people
    ("nb", "other_person", "Mor og far kom på møtet."),
    ("nb", "other_person", "Ola er storebror."),
    ("nb", "other_person", "Ola blir storesøster i mai."),
    ("nb", "other_person", "Ola liker å være storebror."),
    ("nb", "other_person", "Mormor Kari hentet Ola."),
    ("nb", "other_person", "Kari (mormor) hentet Ola."),
    ("nb", "other_person", "Tante Kari Hansen var med."),
    ("nb", "other_person", "Foreldrene kom sammen."),
    ("nb", "other_person", "Ola tegnet huset sitt."),
    ("nb", "other_person", "Ola fikk en rolle som bestefar i skuespillet."),
    ("nn", "other_person", "Mor og far kom på møtet."),
    ("nn", "other_person", "Ola er storebror."),
    ("nn", "other_person", "Ola vert storesyster i mai."),
    ("nn", "other_person", "Mormor Kari henta Ola."),
    ("nn", "other_person", "Kari (mormor) henta Ola."),
    ("nn", "other_person", "Tante Kari Hansen var med."),
    ("nn", "other_person", "Foreldra kom saman."),
    ("nn", "other_person", "Ola teikna huset sitt."),
    ("nn", "other_person", "Ola fekk ei rolle som bestefar i skodespelet."),
    ("nn", "other_person", "Ola likar å vere storebror."),
    ("nn", "other_person", "Ola har ingen sysken."),
    ("nb", "other_person", "Ola har ingen søsken."),
]


def test_corpus_covers_every_rule_in_both_directions():
    for rule in RULES:
        assert sum(r == rule for _, r, _, _ in FIRES) >= 10, rule
        assert sum(r == rule for _, r, _ in QUIET) >= 10, rule
    for rule in ("passive", "nominal", "negation", "negative", "other_person", "abbreviation", "old_fashioned"):
        for form in ("nb", "nn"):
            assert sum(f == form and r == rule for f, r, _, _ in FIRES) >= 10, (rule, form)
            assert sum(f == form and r == rule for f, r, _ in QUIET) >= 10, (rule, form)
    assert {f for f, _, _, _ in FIRES} == {f for f, _, _ in QUIET} == {"nb", "nn"}


@pytest.mark.parametrize(("form", "rule", "text", "words"), FIRES)
def test_rule_fires_on_the_exact_words(form, rule, text, words):
    hints = [h for h in check(text, form=form, known_names=KNOWN) if h.rule == rule]
    start = text.index(words)
    assert [(h.start, h.end, h.text) for h in hints if h.start == start] == [(start, start + len(words), words)]


@pytest.mark.parametrize(("form", "rule", "text", "words"), FIRES)
def test_every_hint_explains_itself_and_suggests_something(form, rule, text, words):
    for hint in check(text, form=form, known_names=KNOWN):
        assert hint.suggestion.strip() and hint.message.strip(), hint
        assert "{" not in hint.suggestion, hint  # every placeholder filled in


@pytest.mark.parametrize(("form", "rule", "text"), QUIET)
def test_rule_stays_quiet(form, rule, text):
    assert [h.text for h in check(text, form=form, known_names=KNOWN) if h.rule == rule] == []


@pytest.mark.parametrize(
    ("form", "text", "verb"),
    [
        ("nb", "Vi skal foreta en vurdering av Ola.", "vurdere"),
        ("nb", "Vi gjennomfører en undersøkelse.", "undersøker"),
        ("nb", "Vi gjør en evaluering.", "evaluerer"),
        ("nb", "Vi gjorde en evaluering i mai.", "evaluerte"),
        ("nb", "PPT har gjennomført en vurdering av Ola.", "vurdert"),
        ("nb", "Foreta en kartlegging av lesingen.", "Kartlegge"),
        ("nb", "Kari foretar en henvisning til BUP.", "henviser"),
        ("nb", "Vi gjennomfører oppfølging hver uke.", "følger opp"),
        ("nb", "Kari utfører en kartlegging.", "kartlegger"),
        ("nb", "Kari gjennomførte en kartlegging.", "kartlegge"),  # no rule for this past: the infinitive
        ("nb", "Mor ga uttrykk for at det går bra.", "sa"),
        ("nn", "PPT vil gjennomføre ei kartlegging.", "kartleggje"),
        ("nn", "Vi må ta ei avgjerd.", "bestemme"),
        ("nn", "Vi gjer ei vurdering av Ola.", "vurderer"),
        ("nn", "Vi gjorde ei evaluering i mai.", "evaluerte"),
        ("nn", "PPT har gjennomført ei vurdering av Ola.", "vurdert"),
    ],
)
def test_nominal_suggests_the_verb_in_the_same_tense(form, text, verb):
    assert only(text, "nominal", form=form).suggestion == verb


def test_negation_suggests_saying_what_is_the_case():
    assert only("Ola mistrives ikke.", "negation").suggestion == "Skriv det positivt: «trives»."
    assert only("Det er ikke uvanlig.", "negation").suggestion == "Skriv det positivt: «vanlig»."
    assert only("Ola har ikke problemer med lesing.", "negation").suggestion == (
        "Skriv det positivt: hva barnet får til eller gjør, for eksempel «Ola leser godt»."
    )
    assert only("Det er ikke slik at Ola ikke vil.", "negation").suggestion.startswith("To nektinger")
    assert only("Ola mistrivst ikkje.", "negation", form="nn").suggestion == "Skriv det positivt: «trivst»."
    assert only("Det er ikkje slik at Ola ikkje vil.", "negation", form="nn").suggestion.startswith("To nektingar")
    assert only("Ola mistrivst ikkje.", "negation", form="nn").message == (
        "Nektande form er tyngre å lese. Skriv det som er tilfellet."
    )


def test_clean_sentence_has_no_hints():
    assert check("Kari leser med Ola hver dag klokka 14.", known_names=("Ola Hansen", "Kari Hansen")) == []


# --- suggestions and messages


def only(text, rule, form="nb", known_names=KNOWN):
    hints = [h for h in check(text, form=form, known_names=known_names) if h.rule == rule]
    assert len(hints) == 1, hints
    return hints[0]


def test_passive_suggestion_says_who_does_it():
    assert only("Saken vurderes.", "passive").suggestion == (
        "Skriv hvem som gjør det: «Legen undersøker», ikke «det undersøkes»."
    )


NN_ERROR = "I nynorsk kan -ast-passiv berre stå etter modalverb (skal, må, kan, bør, vil). Skriv kven som gjer det."


@pytest.mark.parametrize(
    ("text", "is_error"),
    [
        ("Arbeidet utførast i dag.", True),
        ("Saka vurderast no.", True),
        ("Planen skal vurderast i mai.", False),
        ("Dette bør ikkje endrast.", False),
        ("Kva skal gjerast no?", False),
        ("Planen er laga for å brukast heime.", False),
    ],
)
def test_nynorsk_ast_passive_without_a_modal_is_an_error(text, is_error):
    hint = only(text, "passive", form="nn")
    assert (hint.suggestion == NN_ERROR) is is_error
    if not is_error:
        assert hint.suggestion.startswith("Skriv kven som gjer det")


@pytest.mark.parametrize(
    ("form", "text", "expansion"),
    [
        ("nb", "Vi ringer PPT.", "pedagogisk-psykologisk tjeneste"),
        ("nb", "Vi ringer BUP.", "barne- og ungdomspsykiatrisk poliklinikk"),
        ("nb", "Saken går til KE.", "koordinerende enhet"),
        ("nb", "Ola har IP.", "individuell plan"),
        ("nb", "Ola har IUP.", "individuell utviklingsplan"),
        ("nb", "Ola har IOP.", "individuell opplæringsplan"),
        ("nb", "Ola går i bhg.", "barnehage"),
        ("nb", "Vi leser f.eks. bøker.", "for eksempel"),
        ("nb", "Vi leser f. eks. bøker.", "for eksempel"),
        ("nb", "PPT kommer på fredag.", "Pedagogisk-psykologisk tjeneste"),
        ("nn", "Vi les t.d. bøker.", "til dømes"),
        ("nn", "Vi ringjer PPT.", "pedagogisk-psykologisk teneste"),
        ("nn", "Saka går til KE.", "koordinerande eining"),
    ],
)
def test_abbreviation_suggests_the_whole_word(form, text, expansion):
    assert only(text, "abbreviation", form=form).suggestion == expansion


@pytest.mark.parametrize(
    ("form", "text", "word"),
    [
        ("nb", "Angående møtet ringer Kari.", "Om"),
        ("nb", "Vi leser samt skriver.", "og"),
        ("nb", "Vi jobber i henhold til planen.", "etter"),
        ("nb", "Vi benytter rommet.", "bruker"),
        ("nb", "Vi vil benytte rommet.", "bruke"),
        ("nn", "Sjå planen, jamfør vedtaket.", "sjå"),
        ("nn", "Ola får særskild hjelp.", "særleg"),
        ("nn", "Ola treng ytterlegare hjelp.", "meir eller fleire"),
    ],
)
def test_old_fashioned_suggests_the_everyday_word(form, text, word):
    assert only(text, "old_fashioned", form=form).suggestion == word


def test_negative_words_have_a_concrete_alternative():
    assert only("Ola klarer ikke å sitte stille.", "negative").suggestion == (
        "Skriv hva barnet får til, og hva barnet øver på."
    )
    assert "Beskriv hva som skjer og når." in only("Ola var urolig.", "negative").suggestion
    assert only("Ola klarer ikkje å sitje.", "negative", form="nn").suggestion.startswith("Skriv kva barnet får til")


def test_vague_actor_and_time_suggestions():
    assert only("Man må ringe.", "vague_actor").suggestion == "Skriv hvem: stillingstittel, navn eller familierelasjon."
    assert only("Ein må ringje.", "vague_actor", form="nn").suggestion == (
        "Skriv kven: stillingstittel, namn eller familierelasjon."
    )
    assert only("Mor ringer snarest.", "vague_time").suggestion == "Skriv en dato og hvor mye/hvor ofte."
    assert only("Mor ringjer snarast.", "vague_time", form="nn").suggestion == "Skriv ein dato og kor mykje/kor ofte."


def test_long_sentence_suggestion_and_boundary_at_21_words():
    twenty = " ".join(["ord"] * 20) + "."
    twenty_one = " ".join(["ord"] * 21) + "."
    assert [h for h in check(twenty) if h.rule == "long_sentence"] == []
    hint = only(twenty_one, "long_sentence")
    assert (hint.start, hint.end) == (0, len(twenty_one))
    assert hint.suggestion == "Del setningen i to. Den har 21 ord."
    assert only(twenty_one, "long_sentence", form="nn").suggestion == "Del setninga i to. Ho har 21 ord."


def test_other_person_names_the_person_and_asks():
    assert only("Vi snakket med Per i går.", "other_person").suggestion == (
        "Skriv bare om barnet loggen handler om. Er «Per» en av deltakerne?"
    )
    assert "«Per»" in only("Ola og Pers mor spiste.", "other_person").suggestion
    assert only("Vi snakka med Per.", "other_person", form="nn").suggestion == (
        "Skriv berre om barnet loggen handlar om. Er «Per» ein av deltakarane?"
    )


def test_family_words_ask_whether_the_person_belongs_in_the_log():
    assert only("Mors nye samboer hentet Ola.", "other_person").suggestion.startswith(
        "Skriv bare om barnet. Trengs «Mors nye samboer» i loggen?"
    )
    assert only("Mor sin nye sambuar henta Ola.", "other_person", form="nn").suggestion.startswith(
        "Skriv berre om barnet. Trengst «Mor sin nye sambuar» i loggen?"
    )
    assert only("Mormor Liv kom.", "other_person", known_names=()).text == "Mormor Liv"
    assert [h for h in check("Mormor Liv kom.", known_names=("Liv Berg",)) if h.rule == "other_person"] == []
    assert only("Mormor Liv Olsen kom.", "other_person", known_names=("Liv Berg",)).text == "Mormor Liv Olsen"


def test_other_person_without_known_names_still_flags_first_names():
    assert only("Emma leker ute.", "other_person", known_names=()).text == "Emma"
    assert only("Emma leker ute.", "other_person", known_names=None).text == "Emma"
    assert [h for h in check("Emma leker ute.", known_names=("Emma Berg",)) if h.rule == "other_person"] == []


def test_each_part_of_a_known_name_counts():
    known = ("Anne-Lise Berg", "Per Olsen")
    text = "Anne-Lise, Lise, Berg, Per og Olsen kom. Anne-Lise Berg og Per Olsen leste."
    assert [h for h in check(text, known_names=known) if h.rule == "other_person"] == []


def test_messages_are_in_the_chosen_form():
    nb = only("Saken vurderes.", "passive")
    nn = only("Saka skal vurderast.", "passive", form="nn")
    assert nb.message == "Passiv form skjuler hvem som gjør noe."
    assert nn.message == "Passiv form gøymer kven som gjer noko."


# --- LIX


def test_lix_on_a_hand_counted_text():
    # 11 words, 2 sentences, 2 long words (skriver, bestemor): 11/2 + 100*2/11 = 23.68
    assert lix("Ola leser en bok. Kari skriver et langt brev til bestemor.") == (23.7, "svært lett")


def test_lix_counts_letters_only_and_keeps_abbreviations_in_the_sentence():
    # "f.eks." does not end the sentence: 6 words, 1 sentence, no long words
    assert lix("Vi møtes f.eks. Ola og Kari.") == (6.0, "svært lett")
    # "2024-2025," is a word without letters; "barnehagen," has 10 letters: 3/1 + 100*1/3
    assert lix("2024-2025, barnehagen, ok") == (36.3, "lett")


def test_lix_empty_text():
    assert lix("") == (0.0, "svært lett")
    assert lix("  \n ... !!! ") == (0.0, "svært lett")
    assert lix("", form="nn") == (0.0, "svært lett")


@pytest.mark.parametrize(
    ("words", "expected"),
    [(29, "svært lett"), (30, "lett"), (39, "lett"), (40, "middels"), (50, "vanskelig"), (60, "svært vanskelig")],
)
def test_lix_bands_at_their_boundaries(words, expected):
    text = " ".join(["ja"] * words) + "."
    assert lix(text) == (float(words), expected)


@pytest.mark.parametrize(
    ("score", "nb", "nn"),
    [
        (0.0, "svært lett", "svært lett"),
        (29.9, "svært lett", "svært lett"),
        (30.0, "lett", "lett"),
        (39.9, "lett", "lett"),
        (40.0, "middels", "middels"),
        (49.9, "middels", "middels"),
        (50.0, "vanskelig", "vanskeleg"),
        (59.9, "vanskelig", "vanskeleg"),
        (60.0, "svært vanskelig", "svært vanskeleg"),
        (95.0, "svært vanskelig", "svært vanskeleg"),
    ],
)
def test_band_names_per_form(score, nb, nn):
    assert band(score, "nb") == nb
    assert band(score, "nn") == nn


def test_bands_are_exposed_for_both_forms():
    assert [name for _, name in BANDS["nn"]] == ["svært lett", "lett", "middels", "vanskeleg", "svært vanskeleg"]
    assert [limit for limit, _ in BANDS["nb"]] == [0.0, 30.0, 40.0, 50.0, 60.0]


# --- the API and odd input


def test_hint_is_frozen_and_serialises_to_five_keys():
    hint = only("Saken vurderes.", "passive")
    assert isinstance(hint, Hint)
    assert hint.as_dict() == {
        "rule": "passive",
        "start": 6,
        "end": 14,
        "text": "vurderes",
        "suggestion": "Skriv hvem som gjør det: «Legen undersøker», ikke «det undersøkes».",
    }
    with pytest.raises(FrozenInstanceError):
        hint.start = 0


def test_unknown_form_is_refused():
    with pytest.raises(ValueError, match="form"):
        check("Hei.", form="se")


@pytest.mark.parametrize(
    "text", ["", " ", "...", "!!! ??? ::: ...", "😀😀😀 🙂", "\n\n\t\n", "«»()", "a", "Æ", "-", "@@@", "e" * 1000 + "s"]
)
@pytest.mark.parametrize("form", ["nb", "nn"])
def test_odd_input_never_raises(text, form):
    for hint in check(text, form=form):
        assert text[hint.start : hint.end] == hint.text
    score, band_name = lix(text, form=form)
    assert score >= 0 and band_name


def test_offsets_point_at_the_text_and_hints_are_sorted():
    text = "\n".join(sentence for form, _, sentence, _ in FIRES if form == "nb") + "\nSend til kari@bhg.no 😀 og Per."
    hints = check(text, known_names=KNOWN)
    assert hints == sorted(hints, key=lambda h: h.start)
    assert {h.rule for h in hints} == set(RULES)
    for hint in hints:
        assert text[hint.start : hint.end] == hint.text
        assert hint.rule in RULES and hint.suggestion and hint.message


PARAGRAPHS = {
    "nb": "Saken vurderes snarest av PPT, f.eks. i et møte med Per. "
    "Det skal lages en plan i henhold til vedtaket, og Ola er urolig. "
    "Kari leser med Ola hver dag klokka 14 og skriver i loggen etterpå når de har lest ferdig boka som de valgte sammen.\n\n",
    "nn": "Saka vurderast snarast av PPT, t.d. i eit møte med Per. "
    "Det skal lagast ein plan i henhald til vedtaket, og Ola er uroleg. "
    "Kari les med Ola kvar dag klokka 14 og skriv i loggen etterpå når dei har lese ferdig boka som dei valde saman.\n\n",
}


@pytest.mark.parametrize("form", ["nb", "nn"])
def test_long_text_scales_linearly_in_hints(form):
    # 50 000 characters: every paragraph gives the same hints at shifted offsets, so the work
    # is one pass; a quadratic regex would not finish in the suite's time anyway.
    paragraph = PARAGRAPHS[form]
    one = check(paragraph, form=form, known_names=KNOWN)
    copies = 50_000 // len(paragraph) + 1
    text = paragraph * copies
    assert len(text) >= 50_000
    many = check(text, form=form, known_names=KNOWN)
    assert len(one) >= 8
    assert len(many) == copies * len(one)
    last = [(h.rule, h.start - (copies - 1) * len(paragraph), h.end - (copies - 1) * len(paragraph)) for h in many]
    assert last[-len(one) :] == [(h.rule, h.start, h.end) for h in one]
    score, _ = lix(text, form=form)
    assert score == lix(paragraph, form=form)[0]


@pytest.mark.parametrize("text", ["x" * 50_000, "." * 50_000, "a@" * 25_000, "Ola " * 12_500, "\n" * 50_000])
def test_pathological_long_input_is_handled(text):
    for hint in check(text):
        assert text[hint.start : hint.end] == hint.text
    lix(text)


# --- the rule files


def test_rule_files_are_valid_toml_with_enough_entries():
    nb = tomllib.loads((RULES_DIR / "nb.toml").read_text(encoding="utf-8"))
    nn = tomllib.loads((RULES_DIR / "nn.toml").read_text(encoding="utf-8"))
    assert len(nb["gammeldagse_ord"]) >= 40
    assert len(nn["gammeldagse_ord"]) >= 30
    assert len(nb["navn"]["fornavn"]) >= 150
    for data in (nb, nn):
        assert not {"NAV", "Nav", "nav"} & set(data["forkortelser"])
        assert set(data["regler"]) >= set(RULES)


# --- the command


def run(args, stdin=None):
    result = CliRunner().invoke(klarsprak_command, args, input=stdin)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_command_prints_json_lines_and_lix_last(tmp_path):
    path = tmp_path / "logg.txt"
    path.write_text("Saken vurderes snarest av PPT.\n", encoding="utf-8")
    lines = run([str(path)])
    # 5 words, 1 sentence, 2 long words (vurderes, snarest): 5 + 100 * 2 / 5 = 45.0
    assert lines[-1] == {"lix": 45.0, "band": "middels"}
    assert lines[:-1] == [
        {
            "rule": "passive",
            "start": 6,
            "end": 14,
            "text": "vurderes",
            "suggestion": "Skriv hvem som gjør det: «Legen undersøker», ikke «det undersøkes».",
        },
        {
            "rule": "vague_time",
            "start": 15,
            "end": 22,
            "text": "snarest",
            "suggestion": "Skriv en dato og hvor mye/hvor ofte.",
        },
        {
            "rule": "abbreviation",
            "start": 26,
            "end": 29,
            "text": "PPT",
            "suggestion": "pedagogisk-psykologisk tjeneste",
        },
    ]


def test_command_reads_stdin_and_uses_nynorsk():
    lines = run(["--form", "nn", "-"], stdin="Arbeidet utførast snarast.")
    assert [line["rule"] for line in lines[:-1]] == ["passive", "vague_time"]
    assert lines[0]["suggestion"] == NN_ERROR
    assert set(lines[-1]) == {"lix", "band"}


def test_command_writes_unescaped_utf8_and_knows_names():
    result = CliRunner().invoke(klarsprak_command, ["--known-name", "Per Olsen", "-"], input="Vi møtte Per på gården.")
    assert result.exit_code == 0
    assert "gården" not in result.output  # no hints about it
    assert "\\u" not in result.output and "svært lett" in result.output
    assert [json.loads(line) for line in result.output.splitlines()][:-1] == []


def test_command_on_empty_input_prints_only_lix():
    assert run(["-"], stdin="") == [{"lix": 0.0, "band": "svært lett"}]


def test_command_runs_under_a_flask_app_without_an_app_context():
    from flask import Flask

    app = Flask(__name__)
    app.cli.add_command(klarsprak_command)
    result = app.test_cli_runner().invoke(args=["klarsprak", "--form", "nn", "-"], input="Man må ringje.")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.splitlines()[0])["rule"] == "vague_actor"


def test_command_refuses_an_unknown_form():
    result = CliRunner().invoke(klarsprak_command, ["--form", "se", "-"], input="Hei.")
    assert result.exit_code == 2
