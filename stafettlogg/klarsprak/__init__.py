"""Plain-language checker for log entries (seed 001, «Rutine om bruk av Stafettlogg»).

The routine asks writers to use the active voice, be precise about who, when and how much,
avoid abbreviations, old official words and loaded words, keep sentences short and write only
about the child the log is for. Språkrådet's klarspråk advice adds verbs instead of nouns
(«vurdere», not «foreta en vurdering av») and saying what is the case instead of denying its
opposite («trives», not «mistrives ikke»). :func:`check` turns each of those rules into hints
that point at the exact words; :func:`lix` scores readability.

The word lists live in ``rules/nb.toml`` (bokmål) and ``rules/nn.toml`` (nynorsk) so that
non-programmers can extend them. Everything here is regular expressions and single passes
over the tokens, so the cost grows linearly with the text. Hints advise; odd input never
raises.
"""

from __future__ import annotations

import bisect
import functools
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BANDS", "FORMS", "LONG_SENTENCE_WORDS", "REPLACEMENT_RULES", "RULES", "Hint", "band", "check", "lix"]

RULES = (
    "passive",
    "nominal",
    "vague_time",
    "abbreviation",
    "vague_actor",
    "long_sentence",
    "old_fashioned",
    "negative",
    "negation",
    "other_person",
)
# Rules whose suggestion is the words to write instead ("omtrent", "vurdere"); the other
# rules' suggestion is a short piece of advice.
REPLACEMENT_RULES = frozenset({"abbreviation", "old_fashioned", "nominal"})
FORMS = ("nb", "nn")
LONG_SENTENCE_WORDS = 21  # the routine's "short sentences": 21 words or more is long
LIX_LONG_WORD = 7  # LIX counts words of seven letters or more as long
_BAND_LOWER_BOUNDS = (0.0, 30.0, 40.0, 50.0, 60.0)  # inclusive lower bound of each band

_RULES_DIR = Path(__file__).with_name("rules")

# A word for the rules: letters, with inner apostrophes or hyphens ("Anne-Lise", "IP-møte").
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# A word for LIX and sentence length: also numbers and dotted forms ("f.eks", "14:30").
_LIX_WORD = re.compile(r"\w+(?:[-'’.,:]\w+)*")
# Candidate sentence ends: terminal punctuation before whitespace, a line break, a tab.
_BOUNDARY = re.compile(r"(?<![.!?:…])[.!?:…]+[\"'»”’)\]]*(?=\s|$)|[\n\t]\s*")
_WHITESPACE = re.compile(r"\s*")
# URLs and e-mail addresses are never hinted at ("kari@bhg.no").
# Each alternative starts only where a run starts, which keeps the scan linear.
_MASK = re.compile(r"(?<!\S)(?:https?://|www\.)\S+|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NAME_PARTS = re.compile(r"['’-]")
_OPENERS = "«“\"'(["
# A number right after an abbreviation ("kl. 10", "nr.3", "kl 14.30").
_NUMBER_AFTER = re.compile(r"\.?[^\S\n]*\d")
# Extra abbreviations that must not end a sentence, beyond those in the rule files.
_EXTRA_ABBREVIATIONS = frozenset({"dr", "st", "prof", "ref", "pr", "mr", "jr", "vs", "ant", "fig", "tab", "jfr"})


@dataclass(frozen=True)
class Hint:
    """One piece of advice about ``text[start:end]``.

    For the rules in :data:`REPLACEMENT_RULES` the suggestion is the replacement words;
    for the other rules it is a short piece of advice. ``message`` explains the rule.
    """

    rule: str
    start: int
    end: int
    text: str
    suggestion: str
    message: str = ""

    def as_dict(self) -> dict[str, str | int]:
        return {
            "rule": self.rule,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "suggestion": self.suggestion,
        }


# --------------------------------------------------------------------------- rule files


def _lower_set(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip().lower() for v in values if isinstance(v, str) and v.strip())


def _is_acronym(key: str) -> bool:
    letters = [c for c in key if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _phrase_pattern(key: str) -> str:
    """Regex for one table key: spaces match any whitespace, a final dot is optional,
    an inner dot may be followed by one space ("f. eks."), and ``*`` means any ending."""
    out = []
    for i, ch in enumerate(key):
        if ch.isspace():
            if out and out[-1] != r"\s+":
                out.append(r"\s+")
        elif ch == "*":
            out.append(r"\w*")
        elif ch == ".":
            rest = key[i + 1 :]
            out.append(r"\." if rest.strip() else r"\.?")
            if rest and not rest[0].isspace() and rest.strip():
                out.append(r"\s?")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _first_chars(items: list[tuple[int, str]]) -> list[str]:
    """The literal first character of each pattern (patterns start with a letter or digit)."""
    return [pattern[1] if pattern.startswith("\\") else pattern[0] for _, pattern in items]


def _normalise(phrase: str, case_sensitive: bool) -> str:
    phrase = re.sub(r"\s+", " ", phrase.strip())
    phrase = re.sub(r"\.\s+(?=\S)", ".", phrase).rstrip(".")
    return phrase if case_sensitive else phrase.lower()


class _PhraseTable:
    """Whole-word matching of the keys of one TOML table, longest key first."""

    def __init__(self, entries: dict[str, str]):
        self._exact: dict[bool, dict[str, str]] = {True: {}, False: {}}
        self._wild: list[tuple[re.Pattern[str], str]] = []
        patterns: dict[bool, list[tuple[int, str]]] = {True: [], False: []}
        for raw_key, value in entries.items():
            key = raw_key.strip()
            if not key or not isinstance(value, str):
                continue
            case_sensitive = _is_acronym(key)
            pattern = _phrase_pattern(key)
            patterns[case_sensitive].append((len(key), pattern))
            if "*" in key:
                flags = 0 if case_sensitive else re.IGNORECASE
                self._wild.append((re.compile(pattern, flags), value))
            else:
                self._exact[case_sensitive][_normalise(key, case_sensitive)] = value
        self._wild.sort(key=lambda item: -len(item[0].pattern))
        self._regexes: list[tuple[bool, re.Pattern[str]]] = []
        for case_sensitive, items in patterns.items():
            if not items:
                continue
            # A key ending in "/" ("m/") may be followed directly by a word ("m/far"),
            # but not by a one-letter unit ("m/s").
            alternatives = "|".join(
                p + r"(?![^\W\d_](?!\w))" if p.endswith("/") else p + r"(?!\w)"
                for _, p in sorted(items, key=lambda item: -item[0])
            )
            # A look-ahead on the possible first letters makes most positions fail at once.
            first = "".join(sorted({re.escape(p[0]) for p in _first_chars(items)}))
            flags = 0 if case_sensitive else re.IGNORECASE
            regex = re.compile(rf"(?<!\w)(?=[{first}])(?:{alternatives})", flags)
            self._regexes.append((case_sensitive, regex))

    def _value(self, matched: str, case_sensitive: bool) -> str | None:
        value = self._exact[case_sensitive].get(_normalise(matched, case_sensitive))
        if value is None:  # then the first wildcard key that fits the whole match
            value = next((wild for regex, wild in self._wild if regex.fullmatch(matched)), None)
        return value

    def finditer(self, text: str) -> Iterator[tuple[int, int, str]]:
        for case_sensitive, regex in self._regexes:
            for m in regex.finditer(text):
                value = self._value(m.group(), case_sensitive)
                if value is not None:
                    yield m.start(), m.end(), value

    def key_of(self, matched: str) -> str:
        """The normalised form of a matched phrase ("Kl" → "kl")."""
        return _normalise(matched, _is_acronym(matched))


class _WordTable:
    """Single words of one TOML table: exact keys, and keys ending in ``*`` as prefixes."""

    def __init__(self, entries: dict[str, str]):
        self._exact: dict[str, str] = {}
        prefixes: list[tuple[str, str]] = []
        for raw_key, value in entries.items():
            key = raw_key.strip().lower()
            if not key or not isinstance(value, str):
                continue
            if key.endswith("*"):
                prefixes.append((key[:-1], value))
            else:
                self._exact[key] = value
        self._prefixes = tuple(sorted(prefixes, key=lambda item: -len(item[0])))

    def get(self, word: str) -> str | None:
        value = self._exact.get(word)
        if value is None:  # then the longest prefix key the word starts with
            value = next((found for prefix, found in self._prefixes if word.startswith(prefix)), None)
        return value


@dataclass(frozen=True)
class _Message:
    message: str
    suggestion: str


@dataclass(frozen=True)
class _Passive:
    ending: str
    min_length: int
    always: frozenset[str]
    exceptions: frozenset[str]
    exception_endings: tuple[str, ...]
    genitive_endings: tuple[str, ...]
    not_after: frozenset[str]
    modals: frozenset[str]
    require_modal: bool
    auxiliaries: frozenset[str]
    between: frozenset[str]
    participles: frozenset[str]
    participle_suffixes: tuple[str, ...]
    participle_endings: tuple[str, ...]
    not_participles: frozenset[str]
    stative: frozenset[str]  # "er", "var": stative and perfect passive ("er sendt")
    perfect_before: frozenset[str]  # "har" in "har blitt vurdert"
    stative_participles: frozenset[str]
    stative_suffixes: tuple[str, ...]
    stative_endings: tuple[str, ...]
    not_after_stative: frozenset[str]


# The passive rule's word lists and word endings: field → key in the file's "passiv" table.
_PASSIVE_WORDS = {
    "always": "alltid_passiv",
    "exceptions": "unntak",
    "not_after": "ikke_etter",
    "modals": "modalverb",
    "auxiliaries": "hjelpeverb",
    "between": "ord_mellom",
    "not_participles": "ikke_partisipp",
    "stative": "tilstand_hjelpeverb",
    "perfect_before": "perfektum_foran",
    "not_after_stative": "ikke_partisipp_etter_er",
}
_PASSIVE_ENDINGS = {
    "exception_endings": "unntak_endelser",
    "genitive_endings": "eieform_endelser",
    "participle_endings": "partisipp_endelser",
    "stative_endings": "tilstand_partisipp_endelser",
}


@dataclass(frozen=True)
class _Nominal:
    light_verbs: dict[str, str]  # light verb form → its tense ("foretar" → "presens")
    inflections: dict[str, tuple[tuple[str, str], ...]]  # tense → (infinitive ending, ending), longest first
    articles: frozenset[str]
    between: frozenset[str]
    after: frozenset[str]
    endings: tuple[tuple[str, str], ...]  # (noun ending, verb ending), longest first
    nouns: _WordTable  # noun → verb; "" means not nominal style
    phrases: _PhraseTable


@dataclass(frozen=True)
class _Negation:
    negators: frozenset[str]
    boundaries: frozenset[str]
    reach: int
    double_reach: int
    words: _WordTable  # negative word → its positive counterpart ("" if none)
    verbs: _WordTable
    reflexives: frozenset[str]
    positive: str  # suggestion template with {positiv}
    double: str


@dataclass(frozen=True)
class _Actors:
    always: frozenset[str]
    before_verb: frozenset[str]
    institutions: dict[str, tuple[tuple[str, ...], ...]]  # by first word
    modals: frozenset[str]
    impersonal: frozenset[str]
    verbs: frozenset[str]
    not_action: frozenset[str]


@dataclass(frozen=True)
class _Names:
    first: frozenset[str]
    ambiguous: frozenset[str]
    not_names: frozenset[str]
    organisation_after: frozenset[str]
    place_before: frozenset[str]
    place_ending: re.Pattern[str]  # "Storgata", "Fjellvollskolen"


@dataclass(frozen=True)
class _Family:
    words: _WordTable  # "broren", "mormor*"
    before: frozenset[str]  # "mors nye samboer"
    not_after: frozenset[str]  # "Ola er storebror"
    suggestion: str


@dataclass(frozen=True)
class _Rules:
    form: str
    messages: dict[str, _Message]
    bands: tuple[tuple[float, str], ...]
    passive: _Passive
    vague_time: _PhraseTable
    abbreviations: _PhraseTable
    before_number: frozenset[str]  # abbreviations that are the convention before a number: "kl. 10"
    old_fashioned: _PhraseTable
    negative: _PhraseTable
    nominal: _Nominal
    negation: _Negation
    actors: _Actors
    names: _Names
    family: _Family


def _ending_regex(endings: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(e) for e in sorted(_lower_set(endings), key=len, reverse=True))
    return re.compile(rf"\w(?:{alternatives})$" if alternatives else r"(?!)")


def _read(form: str) -> dict:
    with (_RULES_DIR / f"{form}.toml").open("rb") as fh:
        return tomllib.load(fh)


def _names(form: str) -> _Names:
    # The name lists are shared: nb.toml holds them, nn.toml may add to them.
    tables = [_read("nb").get("navn", {})]
    if form != "nb":
        tables.append(_read(form).get("navn", {}))

    def merged(key: str) -> list[str]:
        return [v for table in tables for v in table.get(key, [])]

    return _Names(
        first=_lower_set(merged("fornavn")),
        ambiguous=_lower_set(merged("tvetydige_fornavn")),
        not_names=_lower_set(merged("ikke_navn")),
        organisation_after=_lower_set(merged("virksomhet_etter")),
        place_before=_lower_set(merged("sted_foran")),
        place_ending=_ending_regex(merged("sted_endelser")),
    )


def _by_first_word(phrases: Iterable[str]) -> dict[str, tuple[tuple[str, ...], ...]]:
    grouped: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        words = tuple(phrase.lower().split())
        if words:
            grouped.setdefault(words[0], []).append(words)
    return {first: tuple(sorted(group, key=len, reverse=True)) for first, group in grouped.items()}


def _endings_longest_first(table: dict[str, str]) -> tuple[tuple[str, str], ...]:
    pairs = ((k.strip().lower(), v) for k, v in table.items() if isinstance(v, str) and k.strip())
    return tuple(sorted(pairs, key=lambda item: -len(item[0])))


def _light_verbs(table: dict[str, list[str]]) -> dict[str, str]:
    """Light verb form → tense; a form listed under two tenses keeps the first (infinitive)."""
    verbs: dict[str, str] = {}
    for tense, forms in table.items():
        for verb in _lower_set(forms if isinstance(forms, list) else []):
            verbs.setdefault(verb, tense)
    return verbs


@functools.cache
def _load(form: str) -> _Rules:
    if form not in FORMS:
        raise ValueError(f"unknown language form {form!r}; expected one of {FORMS}")
    data = _read(form)
    messages = {
        name: _Message(str(table.get("melding", "")), str(table.get("forslag", "")))
        for name, table in data.get("regler", {}).items()
    }
    band_names = data["lesbarhet"]["band"]
    passive = data["passiv"]
    participles = [p.lower() for p in passive.get("partisipp", [])]
    stative_participles = [p.lower() for p in passive.get("tilstand_partisipp", [])]
    actors = data["vage_aktorer"]
    nominal = data.get("substantivstil", {})
    negation = data.get("nekting", {})
    family = data.get("familieord", {})
    return _Rules(
        form=form,
        messages=messages,
        bands=tuple(zip(_BAND_LOWER_BOUNDS, band_names, strict=True)),
        passive=_Passive(
            ending=passive["endelse"],
            min_length=int(passive.get("minste_lengde", 5)),
            require_modal=bool(passive.get("krev_modalverb", False)),
            participles=frozenset(p for p in participles if not p.startswith("*")),
            participle_suffixes=tuple(p[1:] for p in participles if p.startswith("*")),
            stative_participles=frozenset(p for p in stative_participles if not p.startswith("*")),
            stative_suffixes=tuple(p[1:] for p in stative_participles if p.startswith("*")),
            **{name: _lower_set(passive.get(key, [])) for name, key in _PASSIVE_WORDS.items()},
            **{name: tuple(_lower_set(passive.get(key, []))) for name, key in _PASSIVE_ENDINGS.items()},
        ),
        vague_time=_PhraseTable({phrase: "" for phrase in data["uklar_tid"]["uttrykk"]}),
        abbreviations=_PhraseTable(data["forkortelser"]),
        before_number=frozenset(
            _normalise(key, _is_acronym(key)) for key in data.get("forkortelser_foran_tall", {}).get("ord", [])
        ),
        old_fashioned=_PhraseTable(data["gammeldagse_ord"]),
        negative=_PhraseTable(data["ladde_ord"]),
        nominal=_Nominal(
            light_verbs=_light_verbs(nominal.get("lette_verb", {})),
            inflections={
                tense: _endings_longest_first(table)
                for tense, table in nominal.get("bøying", {}).items()
                if isinstance(table, dict)
            },
            articles=_lower_set(nominal.get("artikler", [])),
            between=_lower_set(nominal.get("ord_mellom", [])),
            after=_lower_set(nominal.get("ord_etter", [])),
            endings=_endings_longest_first(nominal.get("endelser", {})),
            nouns=_WordTable(nominal.get("ord", {})),
            phrases=_PhraseTable(nominal.get("uttrykk", {})),
        ),
        negation=_Negation(
            negators=_lower_set(negation.get("nektingsord", [])),
            boundaries=_lower_set(negation.get("leddgrense", [])),
            reach=int(negation.get("rekkevidde", 3)),
            double_reach=int(negation.get("rekkevidde_dobbel", 5)),
            words=_WordTable(negation.get("negative_ord", {})),
            verbs=_WordTable(negation.get("negative_verb", {})),
            reflexives=_lower_set(negation.get("refleksiv", [])),
            positive=str(data["regler"]["negation"].get("forslag_positiv", "")),
            double=str(data["regler"]["negation"].get("forslag_dobbel", "")),
        ),
        actors=_Actors(
            always=_lower_set(actors.get("alltid", [])),
            before_verb=_lower_set(actors.get("foran_verb", [])),
            institutions=_by_first_word(actors.get("institusjoner", [])),
            modals=_lower_set(actors.get("modalverb", [])),
            impersonal=_lower_set(actors.get("upersonlig", [])),
            verbs=_lower_set(actors.get("verb", [])),
            not_action=_lower_set(actors.get("ikke_handling", [])),
        ),
        names=_names(form),
        family=_Family(
            words=_WordTable({word: "" for word in family.get("ord", [])}),
            before=_lower_set(family.get("foran", [])),
            not_after=_lower_set(family.get("ikke_etter", [])),
            suggestion=str(data["regler"]["other_person"].get("forslag_familie", "")),
        ),
    )


@functools.cache
def _abbreviation_stems() -> frozenset[str]:
    """Abbreviations (both forms) whose dot does not end a sentence: "f.eks", "kl", "ca"."""
    stems = set(_EXTRA_ABBREVIATIONS)
    for form in FORMS:
        for key in _read(form).get("forkortelser", {}):
            if "." in key:
                stems.add(_normalise(key, case_sensitive=False))
    return frozenset(stems)


BANDS: dict[str, tuple[tuple[float, str], ...]] = {form: _load(form).bands for form in FORMS}
"""Per form: (inclusive lower bound of the LIX score, band name), lowest first."""


# --------------------------------------------------------------------------- text model


def _as_text(text: object) -> str:
    if isinstance(text, str):
        return text
    if text is None:
        return ""
    if isinstance(text, bytes):
        return text.decode("utf-8", errors="replace")
    return str(text)


def _break_ends_sentence(text: str, match: re.Match[str]) -> bool:
    """A tab (table cell) or blank line ends a sentence; a single line break does too,
    unless the next line continues the sentence in lowercase."""
    space = match.group()
    if space[0] == "\t" or space.count("\n") > 1 or match.end() >= len(text):
        return True
    return not text[match.end()].islower()


def _dot_ends_sentence(text: str, match: re.Match[str]) -> bool:
    end = match.start()
    begin = end
    while begin > 0 and end - begin < 40 and (text[begin - 1].isalnum() or text[begin - 1] in "._"):
        begin -= 1
    if begin < end:
        chunk = text[begin:end]
        word = chunk.lower().rstrip(".")
        if word in _abbreviation_stems():
            return False
        if len(word) == 1 and chunk.isupper():  # an initial: "A. Hansen"
            return False
    after = _WHITESPACE.match(text, match.end()).end()
    # "12. mai", "ca. ti": a Norwegian sentence starts with a capital letter or a digit.
    return after >= len(text) or not text[after].islower()


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        mark = m.group()
        if mark[0] in "\n\t":
            if not _break_ends_sentence(text, m):
                continue
        elif set(mark.rstrip("\"'»”’)]")) == {"."} and not _dot_ends_sentence(text, m):
            continue
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    trimmed = []
    for s, e in spans:
        s = _WHITESPACE.match(text, s, e).end()
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            trimmed.append((s, e))
    return trimmed


class _Document:
    """The text split into sentences and word tokens, each token knowing its sentence."""

    def __init__(self, text: str):
        self.text = text
        self.sentences = _sentence_spans(text)
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.words: list[str] = []
        self.lower: list[str] = []
        self.sentence: list[int] = []
        self.opening: list[bool] = []  # first word of a sentence or of a quotation
        index = 0
        for m in _WORD.finditer(text):
            while index < len(self.sentences) - 1 and self.sentences[index][1] <= m.start():
                index += 1
            first = not self.sentence or self.sentence[-1] != index
            quoted = m.start() > 0 and text[m.start() - 1] in _OPENERS
            self.starts.append(m.start())
            self.ends.append(m.end())
            self.words.append(m.group())
            self.lower.append(m.group().lower())
            self.sentence.append(index)
            self.opening.append(first or quoted)
        self.sentence_openers = {self.starts[i] for i in range(len(self.words)) if self.opening[i]}

    def __len__(self) -> int:
        return len(self.words)

    def adjacent(self, i: int, j: int) -> bool:
        """Tokens i < j are in one sentence with only whitespace between them."""
        if j >= len(self.words) or i < 0 or self.sentence[i] != self.sentence[j]:
            return False
        between = self.text[self.ends[i] : self.starts[j]]
        return between == "" or between.isspace()

    def capitalised_inside(self, i: int) -> bool:
        return not self.opening[i] and self.words[i][:1].isupper()


# --------------------------------------------------------------------------- rules


@dataclass
class _Found:
    rule: str
    start: int
    end: int
    suggestion: str
    message: str


def _phrases(doc: _Document, rules: _Rules) -> Iterator[_Found]:
    tables = (
        ("vague_time", rules.vague_time, False),
        ("abbreviation", rules.abbreviations, True),
        ("old_fashioned", rules.old_fashioned, True),
        ("negative", rules.negative, False),
    )
    for rule, table, replacement in tables:
        message = rules.messages[rule]
        for start, end, value in table.finditer(doc.text):
            if (
                rule == "abbreviation"
                and table.key_of(doc.text[start:end]) in rules.before_number
                and _NUMBER_AFTER.match(doc.text, end)
            ):
                continue
            suggestion = value if replacement else (value or message.suggestion)
            if replacement and start in doc.sentence_openers and suggestion[:1].islower():
                suggestion = suggestion[0].upper() + suggestion[1:]
            yield _Found(rule, start, end, suggestion, message.message)


def _modal_before(doc: _Document, i: int, p: _Passive) -> bool:
    j = i - 1
    for _ in range(4):
        if not doc.adjacent(j, j + 1):
            return False
        if doc.lower[j] in p.modals:
            return True
        if doc.lower[j] not in p.between:
            return False
        j -= 1
    return False


def _is_participle(word: str, p: _Passive, stative: bool = False) -> bool:
    """A perfect participle after "ble/vart" or, stricter, after "er/var" (``stative``)."""
    if word in p.not_participles:
        return False
    if stative:
        if word in p.not_after_stative:
            return False
        if word in p.stative_participles or any(word.endswith(s) for s in p.stative_suffixes):
            return True
    if word in p.participles or any(word.endswith(s) for s in p.participle_suffixes):
        return True
    endings = p.stative_endings if stative else p.participle_endings
    return any(word.endswith(e) and len(word) >= max(4, len(e) + 2) for e in endings)


def _perfect_start(doc: _Document, i: int, p: _Passive) -> int:
    """Token i, or an earlier "har"/"hadde" that makes it a perfect ("har ikke blitt sendt")."""
    j = i - 1
    for _ in range(3):
        if not doc.adjacent(j, j + 1):
            break
        if doc.lower[j] in p.perfect_before:
            return j
        if doc.lower[j] not in p.between:
            break
        j -= 1
    return i


def _auxiliary_passive(doc: _Document, i: int, p: _Passive) -> int | None:
    """The index of the participle that makes token i (an auxiliary) a passive, or None.

    "ble sendt", "blir ikke holdt", "er sendt", "er blitt vurdert", "var allerede avklart".
    After "er/var" only an auxiliary chain ending in a participle counts; "er glad", "er kommet"
    and "ble enige" are not passive."""
    stative = doc.lower[i] not in p.auxiliaries
    j = i + 1
    for _ in range(5):
        if not doc.adjacent(j - 1, j) or doc.capitalised_inside(j):
            return None
        word = doc.lower[j]
        if word in p.between:
            j += 1
            continue
        if word in p.auxiliaries or word in p.stative:
            stative = word not in p.auxiliaries
            j += 1
            continue
        return j if _is_participle(word, p, stative) else None
    return None


def _passive(doc: _Document, rules: _Rules, known: frozenset[str]) -> tuple[list[_Found], set[int]]:
    """s-passive ("vurderes", "skal vurderast"), bli/vert-passive ("ble sendt", "vart henta"),
    and the stative and perfect passive ("er sendt", "har blitt vurdert", "er send").

    Returns the hints and the indices of the tokens that head a passive, for vague actors.
    """
    p = rules.passive
    general = rules.messages["passive"]
    error = rules.messages.get("passive_utan_modalverb", general)
    found: list[_Found] = []
    heads: set[int] = set()
    done = 0  # tokens before this index belong to a passive already found
    for i, low in enumerate(doc.lower):
        if i < done:
            continue
        if doc.capitalised_inside(i) or (len(low) > 1 and doc.words[i].isupper()):
            continue  # a name or an acronym
        if low in p.auxiliaries or low in p.stative:
            j = _auxiliary_passive(doc, i, p)
            if j is not None:
                start = _perfect_start(doc, i, p)
                found.append(_Found("passive", doc.starts[start], doc.ends[j], general.suggestion, general.message))
                heads.add(i)
                done = j + 1
            continue
        if low not in p.always:
            if (
                not low.endswith(p.ending)
                or len(low) < p.min_length
                or low in p.exceptions
                or low in known
                or low in rules.names.first
                or any(low.endswith(e) for e in p.exception_endings)
                or (doc.adjacent(i - 1, i) and doc.lower[i - 1] in p.not_after)
            ):
                continue
            if any(low.endswith(e) for e in p.genitive_endings) and not _modal_before(doc, i, p):
                continue
        chosen = error if p.require_modal and not _modal_before(doc, i, p) else general
        found.append(_Found("passive", doc.starts[i], doc.ends[i], chosen.suggestion, chosen.message))
        heads.add(i)
    return found, heads


def _vague_actors(doc: _Document, rules: _Rules, passive_heads: set[int]) -> Iterator[_Found]:
    a = rules.actors
    between = rules.passive.between
    message = rules.messages["vague_actor"]
    action_verbs = a.verbs - a.not_action - a.modals
    n = len(doc)
    for i, low in enumerate(doc.lower):
        if low in a.always or (low in a.before_verb and doc.adjacent(i, i + 1) and doc.lower[i + 1] in a.verbs):
            yield _Found("vague_actor", doc.starts[i], doc.ends[i], message.suggestion, message.message)
            continue
        if low in a.impersonal and doc.adjacent(i, i + 1) and doc.lower[i + 1] in a.modals:
            j = i + 2
            while j < n and j - i < 6 and doc.adjacent(j - 1, j) and doc.lower[j] in between and j not in passive_heads:
                j += 1
            if j in passive_heads and doc.adjacent(j - 1, j):
                yield _Found("vague_actor", doc.starts[i], doc.ends[i + 1], message.suggestion, message.message)
            continue
        for phrase in a.institutions.get(low, ()):
            last = i + len(phrase) - 1
            if tuple(doc.lower[i : last + 1]) != phrase or not all(doc.adjacent(k, k + 1) for k in range(i, last)):
                continue
            j = last + 1
            if doc.adjacent(last, j) and doc.lower[j] in between:
                j += 1
            if doc.adjacent(j - 1, j) and doc.lower[j] in a.modals:
                j += 1
                if doc.adjacent(j - 1, j) and doc.lower[j] in between:
                    j += 1
            if doc.adjacent(j - 1, j) and doc.lower[j] in action_verbs:
                yield _Found("vague_actor", doc.starts[i], doc.ends[last], message.suggestion, message.message)
            break


def _verb_of(noun: str, n: _Nominal, article: bool) -> str | None:
    """The verb behind a noun ("vurdering" → "vurdere"), or None if it is not nominal style.

    Listed nouns count also without an article and inflected ("kartleggingen", "tester");
    other nouns need an article ("en vurdering") and a known ending."""
    candidates = [noun] + [noun[: -len(e)] for e in ("ene", "ane", "en", "er", "ar", "a") if noun.endswith(e)]
    for candidate in candidates:
        verb = n.nouns.get(candidate)
        if verb is not None:
            return verb or None
    if not article:
        return None
    for ending, verb_ending in n.endings:
        if noun.endswith(ending) and len(noun) - len(ending) >= 3:
            return noun[: -len(ending)] + verb_ending
    return None


def _inflect(verb: str, tense: str, n: _Nominal) -> str:
    """The verb in the light verb's tense where the rules can make it ("vurdere" → "vurderte");
    else the infinitive. A verb of several words is inflected in its first ("følger opp")."""
    first, space, rest = verb.partition(" ")
    for ending, replacement in n.inflections.get(tense, ()):
        if first.endswith(ending):
            return first[: len(first) - len(ending)] + replacement + space + rest
    return verb


def _nominal(doc: _Document, rules: _Rules) -> Iterator[_Found]:
    """A light verb and a verb made into a noun: "foreta en vurdering av" → "vurdere"."""
    n = rules.nominal
    message = rules.messages["nominal"].message
    for start, end, value in n.phrases.finditer(doc.text):
        yield _Found("nominal", start, end, value, message)
    count = len(doc)
    for i, low in enumerate(doc.lower):
        if low not in n.light_verbs:
            continue
        j, article = i + 1, False
        while j < count and j - i <= 4 and doc.adjacent(j - 1, j):
            if doc.lower[j] in n.articles:
                article = True
            elif doc.lower[j] not in n.between:
                break
            j += 1
        if j >= count or j - i > 4 or not doc.adjacent(j - 1, j) or doc.capitalised_inside(j):
            continue
        verb = _verb_of(doc.lower[j], n, article)
        if verb is None:
            continue
        end = j + 1 if doc.adjacent(j, j + 1) and doc.lower[j + 1] in n.after else j
        verb = _inflect(verb, n.light_verbs[low], n)
        if doc.opening[i] and verb[:1].islower():
            verb = verb[0].upper() + verb[1:]
        yield _Found("nominal", doc.starts[i], doc.ends[end], verb, message)


def _negations(doc: _Document, rules: _Rules) -> Iterator[_Found]:
    """ "ikke" with a negative word ("har ikke problemer", "mistrives ikke") or a second
    negation in the same clause ("ikke uten", "ikke slik at … ikke")."""
    g = rules.negation
    message = rules.messages["negation"]
    count = len(doc)
    done = -1
    for i, low in enumerate(doc.lower):
        if low not in g.negators or i <= done:
            continue
        hit: tuple[int, int, str] | None = None
        # a negative verb just before: "mistrives ikke", "gruer seg ikke"
        k = i - 1
        if doc.adjacent(k, i) and doc.lower[k] in g.reflexives:
            k -= 1
        if doc.adjacent(k, k + 1) and k > done:
            positive = g.verbs.get(doc.lower[k])
            if positive is not None:
                hit = (k, i, positive)
        # after: a negative word within reach, or a second negation
        k = i + 1
        while hit is None and k < count and k - i <= g.double_reach and doc.adjacent(k - 1, k):
            word = doc.lower[k]
            if word in g.boundaries:
                break
            if word in g.negators:
                hit = (i, k, "\0")
                break
            if k - i <= g.reach:
                positive = g.words.get(word)
                if positive is None:
                    positive = g.verbs.get(word)
                if positive is not None:
                    hit = (i, k, positive)
                    break
            k += 1
        if hit is None:
            continue
        first, last, positive = hit
        if positive == "\0":
            suggestion = g.double or message.suggestion
        elif positive:
            suggestion = g.positive.replace("{positiv}", positive)
        else:
            suggestion = message.suggestion
        done = last
        yield _Found("negation", doc.starts[first], doc.ends[last], suggestion, message.message)


def _long_sentences(doc: _Document, rules: _Rules) -> Iterator[_Found]:
    message = rules.messages["long_sentence"]
    for start, end in doc.sentences:
        words = [m.start() for m in _LIX_WORD.finditer(doc.text, start, end)]
        if len(words) >= LONG_SENTENCE_WORDS:
            suggestion = message.suggestion.replace("{antall}", str(len(words)))
            yield _Found("long_sentence", words[0], end, suggestion, message.message)


def _name_shaped(word: str) -> bool:
    """Capitalised words and double names: "Per", "Anne-Lise", "Per's"; not "IP-møte" or "NAV"."""
    if word.endswith(("'s", "’s")):
        word = word[:-2]
    parts = _NAME_PARTS.split(word)
    return all(len(part) >= 2 and part[0].isupper() and part[1:].islower() for part in parts)


def _known_parts(known_names: Iterable[str]) -> frozenset[str]:
    parts: set[str] = set()
    if isinstance(known_names, str):
        known_names = [known_names]
    for name in known_names or ():
        if not isinstance(name, str):
            continue
        for part in name.lower().split():
            parts.add(part)
            parts.update(p for p in part.split("-") if p)
    return frozenset(parts)


def _base_name(word: str, known: frozenset[str], first: frozenset[str]) -> str:
    """A genitive s is stripped when the rest is a name we know: «Olas» and «Ola's» are Ola."""
    low = word.lower()
    if low in known or low in first:
        return low
    if low.endswith(("'s", "’s")):
        return low[:-2]
    if low.endswith("s") and (low[:-1] in known or low[:-1] in first):
        return low[:-1]
    return low


_BEFORE_NAME = frozenset(" ,(")  # "Liv (mormor)", "Liv, mormor til Ola"
_AFTER_NAME = frozenset(" (")  # "mormor Liv", "mormor (Liv)"


def _joined_by(doc: _Document, i: int, j: int, allowed: frozenset[str]) -> bool:
    """Tokens i < j are neighbours in one sentence, with only ``allowed`` characters between."""
    if i < 0 or j >= len(doc) or j != i + 1 or doc.sentence[i] != doc.sentence[j]:
        return False
    between = doc.text[doc.ends[i] : doc.starts[j]]
    return bool(between) and set(between) <= allowed


def _family(doc: _Document, rules: _Rules, known: frozenset[str]) -> list[tuple[int, int]]:
    """Family words that name someone other than the child ("broren", "mors nye samboer",
    "halvsøster Emma"), as token ranges (first, last). A known name next to the word
    ("mormor Liv" when Liv is a participant) means the person is in the log already."""
    f = rules.family
    names = rules.names
    found: list[tuple[int, int]] = []
    for i, low in enumerate(doc.lower):
        if f.words.get(low) is None:
            continue
        if doc.adjacent(i - 1, i) and doc.lower[i - 1] in f.not_after:
            continue  # "Ola er storebror"
        last = i
        while _joined_by(doc, last, last + 1, _AFTER_NAME) and _name_shaped(doc.words[last + 1]):
            last += 1
        named = [_base_name(doc.words[k], known, names.first) for k in range(i + 1, last + 1)]
        if named and all(b in known for b in named):
            continue
        if (
            not named
            and _joined_by(doc, i - 1, i, _BEFORE_NAME)
            and doc.words[i - 1][:1].isupper()
            and _base_name(doc.words[i - 1], known, names.first) in known
        ):
            continue
        first = i
        while doc.adjacent(first - 1, first) and doc.lower[first - 1] in f.before:
            first -= 1
        found.append((first, last))
    return found


def _other_persons(doc: _Document, rules: _Rules, known: frozenset[str]) -> Iterator[_Found]:
    names = rules.names
    message = rules.messages["other_person"]
    n = len(doc)
    covered: set[int] = set()
    for first, last in _family(doc, rules, known):
        covered.update(range(first, last + 1))
        start, end = doc.starts[first], doc.ends[last]
        suggestion = rules.family.suggestion or message.suggestion
        yield _Found("other_person", start, end, suggestion.replace("{tekst}", doc.text[start:end]), message.message)
    i = 0
    while i < n:
        word = doc.words[i]
        if not word[0].isupper() or i in covered:
            i += 1
            continue
        base = _base_name(word, known, names.first)
        eligible = (
            _name_shaped(word)
            and base not in names.not_names
            and not names.place_ending.search(base)
            and (not doc.opening[i] or (base in names.first and base not in names.ambiguous))
            and not (doc.adjacent(i - 1, i) and doc.lower[i - 1] in names.place_before and base not in names.first)
        )
        if not eligible:
            i += 1
            continue
        last = i
        while (
            doc.adjacent(last, last + 1)
            and "\n" not in doc.text[doc.ends[last] : doc.starts[last + 1]]
            and _name_shaped(doc.words[last + 1])
            and doc.lower[last + 1] not in names.not_names
        ):
            last += 1
        if doc.adjacent(last, last + 1) and doc.lower[last + 1] in names.organisation_after:
            i = last + 2
            continue
        bases = [_base_name(doc.words[k], known, names.first) for k in range(i, last + 1)]
        if not all(b in known for b in bases):
            start, end = doc.starts[i], doc.ends[last]
            shown = doc.text[start:end]
            if bases[-1] != doc.lower[last]:
                shown = shown[: len(shown) - (len(doc.lower[last]) - len(bases[-1]))]
            suggestion = message.suggestion.replace("{tekst}", shown)
            yield _Found("other_person", start, end, suggestion, message.message)
        i = last + 1


# --------------------------------------------------------------------------- API


def check(text: str, form: str = "nb", known_names: Iterable[str] = ()) -> list[Hint]:
    """Return the plain-language hints for ``text`` in language form ``form`` ("nb" or "nn").

    ``known_names`` are the full names of the child, the guardians and the participants;
    every part of them (first name, last name) counts as known. Hints are sorted by start.
    """
    rules = _load(form)
    text = _as_text(text)
    if not text.strip():
        return []
    doc = _Document(text)
    known = _known_parts(known_names)
    passive, heads = _passive(doc, rules, known)
    found: list[_Found] = [
        *_phrases(doc, rules),
        *passive,
        *_nominal(doc, rules),
        *_negations(doc, rules),
        *_vague_actors(doc, rules, heads),
        *_long_sentences(doc, rules),
        *_other_persons(doc, rules, known),
    ]
    masked = [(m.start(), m.end()) for m in _MASK.finditer(text)]
    mask_starts = [s for s, _ in masked]
    order = {rule: k for k, rule in enumerate(RULES)}
    hints: dict[tuple[str, int, int], Hint] = {}
    for f in sorted(found, key=lambda f: (f.start, f.end, order[f.rule])):
        k = bisect.bisect_left(mask_starts, f.end) - 1  # the last mask starting before the hint ends
        if k >= 0 and masked[k][1] > f.start:
            continue
        hints.setdefault(
            (f.rule, f.start, f.end),
            Hint(f.rule, f.start, f.end, text[f.start : f.end], f.suggestion, f.message),
        )
    return list(hints.values())


def band(score: float, form: str = "nb") -> str:
    """The readability band of a LIX score: lower bounds are inclusive (30.0 is "lett")."""
    name = BANDS[form][0][1]
    for lower_bound, band_name in BANDS[form]:
        if score >= lower_bound:
            name = band_name
    return name


def lix(text: str, form: str = "nb") -> tuple[float, str]:
    """LIX = words / sentences + 100 × long words / words, rounded to one decimal.

    Long words have seven letters or more (digits and punctuation not counted). Sentences end
    at . ! ? : and at line breaks; "f.eks." and "12. mai" do not end one. Empty text is 0.0.
    """
    rules = _load(form)
    text = _as_text(text)
    words = long_words = sentences = 0
    for start, end in _sentence_spans(text):
        count = 0
        for m in _LIX_WORD.finditer(text, start, end):
            count += 1
            if sum(ch.isalpha() for ch in m.group()) >= LIX_LONG_WORD:
                long_words += 1
        if count:
            sentences += 1
            words += count
    if not words:
        return 0.0, rules.bands[0][1]
    score = round(words / sentences + 100 * long_words / words, 1)
    return score, band(score, form)
