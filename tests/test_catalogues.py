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
