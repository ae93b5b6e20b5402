"""The page's scripts say nothing themselves: every text a person reads comes from the
page (data-* attributes rendered with gettext), so it is translated. And one way to ask
"are you sure?": hx-confirm, which htmx honours and app.js asks for plain forms."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JS = sorted((ROOT / "static" / "js").glob("*.js"))
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))

# Common Norwegian words (bokmål and nynorsk) that are not English words or locale codes.
NORWEGIAN_WORDS = re.compile(
    r"\b(ikke|ikkje|og|er|på|til|med|det|som|av|du|jeg|eg|eller|kan|skal|har|lagre|lagrer|lagrar|lagret"
    r"|slett|fjern|fjerne|avbryt|tekst|teksten|klarspråk|råd|feil|prøver|igjen|kopiert|sikker|vil|ikkje"
    r"|lukk|vis|skjul|les|høyt|stopp|godkjenn|last|siden|vent)\b",
    re.IGNORECASE,
)
NORWEGIAN_LETTERS = re.compile(r"[æøåÆØÅ]")
# Before a "/" these end an expression (so "/" divides); anywhere else "/" starts a regex.
_ENDS_EXPRESSION = re.compile(r"[\w$)\]]")


def string_literals(source: str) -> list[str]:
    """The string and template literals of a script, without comments or regex literals."""
    out, i, n, last = [], 0, len(source), ""
    while i < n:
        c = source[i]
        if source.startswith("//", i):
            i = source.find("\n", i)
            i = n if i < 0 else i
        elif source.startswith("/*", i):
            i = source.index("*/", i + 2) + 2
        elif c in "\"'`":
            j, text = i + 1, []
            while source[j] != c:
                if source[j] == "\\":
                    text.append(source[j : j + 2])
                    j += 2
                else:
                    text.append(source[j])
                    j += 1
            out.append("".join(text))
            i, last = j + 1, c
        elif c == "/" and not _ENDS_EXPRESSION.match(last or " "):
            j, in_class = i + 1, False
            while in_class or source[j] != "/":
                if source[j] == "\\":
                    j += 1
                elif source[j] == "[":
                    in_class = True
                elif source[j] == "]":
                    in_class = False
                j += 1
            i, last = j + 1, ")"
        else:
            if not c.isspace():
                last = c
            i += 1
    return out


def norwegian(literal: str) -> bool:
    return bool(NORWEGIAN_LETTERS.search(literal) or NORWEGIAN_WORDS.search(literal))


def test_the_checker_finds_norwegian_in_strings_only():
    source = """
    // Les høyt: a comment may say anything, /* also */ this
    /* Lagrer … */
    var re = /^\\/logger\\/(\\d+)\\//, half = width / 2, x = "data-label-start";
    say('Lagrer …'); say("Ikke lagret – prøver igjen"); say(`Kopier lenken`);
    el.setAttribute("aria-label", "Klarspråk: " + label);
    """
    found = [s for s in string_literals(source) if norwegian(s)]
    assert found == ["Lagrer …", "Ikke lagret – prøver igjen", "Klarspråk: "]
    assert "data-label-start" in string_literals(source)
    assert not any("logger" in s for s in string_literals(source))  # a regex is not a string


def test_no_script_has_norwegian_text():
    assert JS, "static/js has scripts"
    found = {path.name: [s for s in string_literals(path.read_text()) if norwegian(s)] for path in JS}
    assert {name: texts for name, texts in found.items() if texts} == {}


def test_one_confirm_attribute():
    """hx-confirm everywhere; the hand-written attributes are gone from pages and scripts."""
    for path in [*TEMPLATES, *JS]:
        text = path.read_text()
        assert "data-confirm" not in text, path
    assert sum("hx-confirm" in path.read_text() for path in TEMPLATES) >= 5
    app_js = (ROOT / "static" / "js" / "app.js").read_text()
    assert app_js.count("window.confirm(") == 1
    assert sum(path.read_text().count("confirm(") for path in JS if path.name != "app.js") == 0


def test_a_confirm_never_covers_requests_made_inside_it():
    """hx-confirm is inherited: on a form that held an htmx field (a hints panel), every
    keystroke would ask. Forms and buttons carry it, and contain no htmx request."""
    verbs = re.compile(r"\bhx-(get|post|put|patch|delete)=")
    for path in TEMPLATES:
        text = path.read_text()
        for match in re.finditer(r"<(\w+)\b[^>]*\bhx-confirm=", text):
            tag = match.group(1)
            assert tag in ("form", "button"), (path, tag)
            if tag == "form":
                body = text[match.end() : text.index("</form>", match.end())]
                inner = body[body.index(">") + 1 :]
                assert not verbs.search(inner), (path, inner[:200])
                assert "hints_panel(" not in inner and "section_fields(" not in inner, path
