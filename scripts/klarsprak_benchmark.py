"""How long the plain-language checker takes on 50,000 characters of log text.

    .venv/bin/python scripts/klarsprak_benchmark.py [--chars 50000] [--runs 7]

Builds a text of that length per language form from paragraphs written the way holders
write (every rule fires in them), runs check() and lix() on it several times after one
warm-up run, and prints the fastest and the median time. The budget is "well under a
second"; the command exits 1 if the median is 1 second or more.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stafettlogg.klarsprak import FORMS, check, lix  # noqa: E402

PARAGRAPHS = {
    "nb": (
        "Møte kl. 10 den 14. januar i rom nr. 3. Til stede: mor, far, Kari Hansen og helsesykepleier.\n"
        "Saken er sendt til PPT, og Ola har blitt vurdert. Det skal foretas en vurdering av lesingen, "
        "og skolen vil gjennomføre en kartlegging i nær fremtid. Ola har ikke problemer med matte og "
        "mistrives ikke i klassen, men han er en urolig gutt i samlingen, sier læreren. Broren og mormor "
        "var med på foreldremøtet, og mors nye samboer henter ham på fredager. Iht. planen skal det "
        "iverksettes tiltak snarest, vedr. søvn og mat, m/ oppfølging fra fam. Hansen. Undertegnede "
        "påpekte at ansvaret påhviler skolen, og at man må ringe BUP ved behov. Kari leser med Ola hver "
        "dag klokka 14 og skriver i loggen etterpå når de har lest ferdig boka som de valgte sammen.\n\n"
    ),
    "nn": (
        "Møte kl. 10 den 14. januar i rom nr. 3. Til stades: mor, far, Kari Hansen og helsesjukepleiaren.\n"
        "Saka er send til PPT, og Ola har vorte vurdert. Det skal gjerast ei vurdering av lesinga, og "
        "skulen vil gjennomføre ei kartlegging om ei tid. Ola har ikkje problem med matte og mistrivst "
        "ikkje i klassen, men han er ein uroleg gut i samlinga, seier læraren. Broren og mormor var med "
        "på foreldremøtet, og mor sin nye sambuar hentar han på fredagar. Iht. planen skal tiltak setjast "
        "i gang snarast, vedr. søvn og mat, m/ oppfølging frå fam. Hansen. Undertekna påpeikte at "
        "ansvaret påkviler skulen, og at ein må ringje BUP ved behov. Kari les med Ola kvar dag klokka "
        "14 og skriv i loggen etterpå når dei har lese ferdig boka som dei valde saman.\n\n"
    ),
}
KNOWN = ("Ola Hansen", "Kari Hansen")


def measure(text: str, form: str, runs: int) -> tuple[list[float], int]:
    hints = check(text, form=form, known_names=KNOWN)  # warm-up: loads and compiles the rules
    lix(text, form=form)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        hints = check(text, form=form, known_names=KNOWN)
        lix(text, form=form)
        times.append(time.perf_counter() - began)
    return times, len(hints)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    worst = 0.0
    for form in FORMS:
        paragraph = PARAGRAPHS[form]
        text = (paragraph * (args.chars // len(paragraph) + 1))[: args.chars]
        times, count = measure(text, form, args.runs)
        median = statistics.median(times)
        worst = max(worst, median)
        print(
            f"{form}: {len(text)} characters, {count} hints, "
            f"fastest {min(times) * 1000:.0f} ms, median {median * 1000:.0f} ms over {args.runs} runs"
        )
    return 0 if worst < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
