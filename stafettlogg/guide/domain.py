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


def check(data: dict) -> None:
    """Every answer leads to a known question or result (checked when the file is read)."""
    questions, results = data["questions"], data["results"]
    for qid, question in questions.items():
        for answer in ("yes", "no"):
            target = question[answer]
            known = target[7:] in results if target.startswith("result:") else target in questions
            if not known:
                raise ValueError(f"{qid}.{answer} leads to unknown {target}")


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
