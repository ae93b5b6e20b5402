"""Walk the decision guide (seed 004). The questions, their order and the outcomes are
data (content/guide.<language>.toml, which a municipality may override in the instance
folder); this module only follows the answers through them."""

import dataclasses
import functools
import tomllib
from pathlib import Path

from flask import has_app_context

GUIDE_FILE = Path(__file__).resolve().parent.parent / "content" / "guide.nb.toml"
ANSWERS = ("ja", "nei")


@functools.cache
def default_guide() -> dict:
    with GUIDE_FILE.open("rb") as fh:
        data = tomllib.load(fh)
    check(data)
    return data


def load_guide() -> dict:
    """The guide in the page's language: the municipality's version if it has one."""
    if not has_app_context():
        return default_guide()
    from stafettlogg import content  # cycle: content checks a municipality's guide with check()

    return content.get("guide")


load_guide.cache_clear = default_guide.cache_clear  # tests swap GUIDE_FILE


# What the walk and the page read of each part: a file without one is refused when it is
# read (a municipality's is reported and the default used), never a page that fails.
NEEDS = {
    "question": ("text", "yes", "no"),
    "result": ("title", "summary", "roles"),
    "service": ("service", "roles"),
    "agreement": ("steps",),
}


def check(data: dict) -> None:
    """The start and every answer lead to a known question or result, and each part
    holds what the guide reads of it (NEEDS); checked when the file is read."""
    questions, results = data["questions"], data["results"]

    def must_lead_somewhere(where: str, target: str) -> None:
        known = target[7:] in results if target.startswith("result:") else target in questions
        if not known:
            raise ValueError(f"{where} leads to unknown {target}")

    must_lead_somewhere("start", data["start"])
    for qid, question in questions.items():
        _holds(question, "question")
        for answer in ("yes", "no"):
            must_lead_somewhere(f"{qid}.{answer}", question[answer])
    for result in results.values():
        _holds(result, "result")
    for service in data["services"]:
        _holds(service, "service")
    _holds(data["agreement"], "agreement")


def _holds(part: dict, kind: str) -> None:
    for key in NEEDS[kind]:
        if key not in part:
            raise KeyError(key)


@dataclasses.dataclass
class Step:
    answered: list[tuple[str, dict, str]]  # (question id, question, "ja"/"nei")
    question_id: str | None = None
    question: dict | None = None
    result_id: str | None = None
    result: dict | None = None
    services: list[dict] = dataclasses.field(default_factory=list)


def walk(answers: dict) -> Step:
    """Follow the answers from the start; stop at the first unanswered question or at a
    result. Answers to questions off the path are ignored."""
    guide = load_guide()
    questions = guide["questions"]
    current = guide["start"]
    answered = []
    seen = set()
    while not current.startswith("result:"):
        if current in seen:  # defensive: _check forbids unknown targets, not loops
            break
        seen.add(current)
        question = questions[current]
        answer = answers.get(current)
        if answer not in ANSWERS:
            return Step(answered, current, question)
        answered.append((current, question, answer))
        current = question["yes" if answer == "ja" else "no"]
    result_id = current[7:]
    result = guide["results"][result_id]
    services = [s for s in guide["services"] if set(s["roles"]) & set(result["roles"])]
    return Step(answered, result_id=result_id, result=result, services=services)


def paths() -> list[tuple[dict, str]]:
    """Every path through the guide as (answers, result id): used by the tests and to
    show that each outcome can be reached."""
    guide = load_guide()
    out = []

    def follow(node, answers):
        if node.startswith("result:"):
            out.append((dict(answers), node[7:]))
            return
        for answer, key in (("ja", "yes"), ("nei", "no")):
            follow(guide["questions"][node][key], {**answers, node: answer})

    follow(guide["start"], {})
    return out
