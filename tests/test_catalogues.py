"""The translation catalogues as the app reads them: every .po is a clean catalogue (no
merge-conflict markers, no message twice), and every .mo is what compiling its .po gives
(`pybabel compile -d translations -f`): a catalogue edited and not compiled, or merged
with markers left in, would show the old or no translation to a family."""

import io
import re
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

CATALOGUES = sorted((Path(__file__).parent.parent / "translations").glob("*/LC_MESSAGES/messages.po"))


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-3])
def test_the_catalogue_is_clean_and_compiled(po):
    text = po.read_text()
    markers = re.findall(r"^(?:<{7} |={7}$|>{7} ).*", text, re.M)
    assert not markers, f"{po}: merge-conflict markers {markers[:3]}"
    single = re.findall(r'^msgid "(.+)"$', text, re.M)
    twice = sorted({m for m in single if single.count(m) > 1})
    assert not twice, f"{po}: messages given twice {twice[:3]}"
    compiled = io.BytesIO()
    write_mo(compiled, read_po(po.open("rb")), use_fuzzy=True)
    assert compiled.getvalue() == po.with_suffix(".mo").read_bytes(), f"{po}: run pybabel compile -d translations -f"


def test_every_message_in_the_sources_has_a_nynorsk_translation(tmp_path):
    """Staff choose bokmål or nynorsk (languages.py): every text the sources give gettext,
    extracted now as the README says (`pybabel extract`), has a nynorsk translation that is
    not fuzzy. A text added to a template and never put in the nynorsk catalogue shows in
    bokmål to a nynorsk reader."""
    import subprocess
    import sys

    root = Path(__file__).parent.parent
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "msg",
            "-k",
            "msg_plural:1,2",
        ]
        + ["--project", "Stafettlogg", "-o", str(pot), "."],
        cwd=root,
        check=True,
        capture_output=True,
    )
    nynorsk = read_po((root / "translations/nn/LC_MESSAGES/messages.po").open("rb"))
    extracted = read_po(pot.open("rb"))
    # a stored text with a count (msg_plural) is extracted with its plural, as ngettext
    recon = "Juni: %(num)s skole eller barnehage er ikke gjennomgått for %(year)s. Avtal årlig gjennomgang."
    assert extracted.get(recon) is not None and extracted.get(recon).pluralizable, "msg_plural() is not extracted"
    missing = []
    for message in extracted:
        if not message.id:
            continue
        translated = nynorsk.get(message.id, message.context)
        strings = translated.string if translated is not None else None
        if not strings or (isinstance(strings, tuple) and not all(strings)) or translated.fuzzy:
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    assert not missing, f"no nynorsk for {len(missing)} messages, e.g. {missing[:5]}"
