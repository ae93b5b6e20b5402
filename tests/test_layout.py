"""One convention for the whole tree (README "Code map"): every area a package whose
routes are in views modules, rules in domain modules, reads in queries modules; imports
point from views to domain to models, never back, and form no cycle; the page-or-fragment
decision and links each have one home. These tests read the code as text (ast), so they
fail the moment someone restates a rule elsewhere."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "stafettlogg"

# Areas (packages) and the cross-cutting modules at the top (README "Code map").
AREAS = {
    "archive",
    "content",
    "guardians",
    "guide",
    "handover",
    "klarsprak",
    "logs",
    "main",
    "meetings",
    "oidc",
    "org",
    "overview",
    "signin",
    "takeover",
}
# The bottom of the graph: these never import an area or a route.
FOUNDATION = {
    "config",
    "i18n",
    "db",
    "models",
    "messages",
    "dates",
    "labels",
    "textformat",
    "passwords",
    "access",
    "audit",
    "web",
    "windows",
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _imports(node) -> set[str]:
    names = []
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return {_resolve(n) for n in names if n.startswith("stafettlogg")} - {"", "stafettlogg"}


def _graph() -> dict[str, set[str]]:
    """Module-level imports only (what runs when a module is imported)."""
    graph = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text())
        graph[name] = set().union(*(_imports(node) for node in tree.body)) - {name}
    return graph


def _function_imports():
    for name, path in MODULES.items():
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom):
                        yield name, inner, lines[inner.lineno - 1]


def _area(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _kind(module: str) -> str:
    """views, domain, queries … : the last part of the module's name."""
    return module.rpartition(".")[2]


def test_no_import_cycle():
    graph = _graph()
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node, path):
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle.extend(path[path.index(nxt) :] + [nxt])
                return True
            if nxt not in state and visit(nxt, path + [nxt]):
                return True
        state[node] = 2
        return False

    for module in sorted(graph):
        if module not in state and visit(module, [module]):
            break
    assert not cycle, " -> ".join(cycle)


def test_every_module_imports_in_a_fresh_interpreter():
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    result = subprocess.run(
        [sys.executable, "-c", code, *sorted(MODULES)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_imports_point_from_views_to_domain_to_models():
    graph = _graph()
    wrong = []
    for module, targets in graph.items():
        for target in targets:
            if _kind(target).endswith("views") and module != "stafettlogg.application":
                wrong.append(f"{module} imports the routes of {target}")
            if _kind(module) in ("domain", "queries", "models") and _kind(target).endswith("views"):
                wrong.append(f"{module} (rules or reads) imports {target}")
            if _kind(module) in FOUNDATION and _area(target) in AREAS:
                wrong.append(f"{module} (foundation) imports the area {target}")
    assert not wrong, wrong


def test_imports_inside_functions_only_for_a_cycle_or_a_heavy_library_with_a_reason():
    bare = [
        f"{module}:{node.lineno}: {line.strip()}"
        for module, node, line in _function_imports()
        if "# cycle:" not in line and "# lazy:" not in line
    ]
    assert not bare, bare


def test_routes_live_in_views_modules():
    outside = []
    for name, path in MODULES.items():
        if "Blueprint(" in path.read_text() and not _kind(name).endswith("views") and name != "stafettlogg.auth":
            outside.append(name)
    assert not outside, outside


def test_templates_mirror_the_packages():
    folders = {p.name for p in (ROOT / "templates").iterdir() if p.is_dir()}
    modules = {name.split(".")[1] for name in MODULES if name.count(".") >= 1}
    assert folders <= modules, folders - modules


def test_one_helper_decides_page_or_fragment():
    """HX-Request is read in web.py only; wants_fragment() is asked outside it only where
    the answer is not a page or a fragment (the gate's refusal, the window's flag)."""
    allowed = {"stafettlogg.web", "stafettlogg.logs.gate", "stafettlogg.logs.views"}
    readers = [name for name, path in MODULES.items() if "HX-Request" in path.read_text() and name != "stafettlogg.web"]
    askers = [name for name, path in MODULES.items() if "wants_fragment()" in path.read_text()]
    assert readers == ["stafettlogg.security"] or not readers, readers  # security.py only says Vary: HX-Request
    assert set(askers) <= allowed, askers
    assert MODULES["stafettlogg.logs.views"].read_text().count("wants_fragment()") == 1


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_assert_does_a_check_in_the_app(name):
    """A check written as assert disappears under PYTHONOPTIMIZE."""
    tree = ast.parse(MODULES[name].read_text())
    assert not [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Assert)]


def test_tests_share_helpers_through_conftest_not_through_each_other():
    borrowed = []
    for path in (ROOT / "tests").rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                ("tests.test_", "tests.browser.test_")
            ):
                borrowed.append(f"{path.relative_to(ROOT)}: from {node.module}")
    assert not borrowed, borrowed


def test_today_is_oslos_date_everywhere():
    """One "today": Oslo's date (dates.local_today), never the server's zone nor UTC's
    (the hour or two after midnight in Norway, UTC's date is yesterday: a school year
    or a month of statistics began a day late)."""
    servers = [name for name, path in MODULES.items() if "date.today()" in path.read_text()]
    assert not servers, servers
    utc_days = [name for name, path in MODULES.items() if "utcnow().date()" in path.read_text()]
    assert not utc_days, utc_days
    zones = [name for name, path in MODULES.items() if "Europe/Oslo" in path.read_text() and path.name != "dates.py"]
    ages = [
        name for name, path in MODULES.items() if '"CONSENT_AGE"]' in path.read_text() and name != "stafettlogg.access"
    ]
    assert not ages, ages  # the consent age is access.consent_age (the setting as it is now)
    assert not zones, zones  # Oslo's zone is dates.OSLO, converted by dates.local


TELLERS = {"notify", "send_email"}


def _called(node) -> set[str]:
    return {
        getattr(call.func, "id", getattr(call.func, "attr", ""))
        for call in ast.walk(node)
        if isinstance(call, ast.Call)
    }


def _closure(names: set[str], funcs: dict, grows) -> set[str]:
    while True:
        more = {name for name, func in funcs.items() if name not in names and grows(name, func, names)}
        if not more:
            return names
        names = names | more


def _active_reads_where_people_are_told(tree) -> list:
    """`.active` read (of a person: a unit's own `active` is another matter) in a function
    that tells (calls notify or send_email, or a function of its module that does), or
    that picks whom to tell (called in the head of a loop whose body tells, or called by
    such a picker), save in the test of an `if` that only raises (refusing the action for
    someone who has left, e.g. as the new holder, is not deciding who is told)."""
    funcs = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    tellers = _closure(set(TELLERS), funcs, lambda _name, func, known: bool(_called(func) & known))
    pickers = {
        name
        for func in funcs.values()
        for loop in ast.walk(func)
        if isinstance(loop, ast.For) and any(_called(part) & tellers for part in loop.body)
        for name in _called(loop.iter) & set(funcs)
    }
    pickers = _closure(pickers, funcs, lambda name, _func, known: any(name in _called(funcs[p]) for p in known))
    found = []
    for name, func in funcs.items():
        if not (_called(func) & tellers or name in pickers):
            continue
        refusals = {
            id(part)
            for node in ast.walk(func)
            if isinstance(node, ast.If) and not node.orelse and all(isinstance(b, ast.Raise) for b in node.body)
            for part in ast.walk(node.test)
        }
        found += [
            (node.lineno, ast.unparse(node))
            for node in ast.walk(func)
            if isinstance(node, ast.Attribute)
            and node.attr == "active"
            and id(node) not in refusals
            and not ast.unparse(node.value).lower().endswith("unit")
        ]
    return found


def test_who_is_told_is_decided_by_notify_alone():
    """«Nobody who has left is told» is said once: notify.reached, asked by notify() and
    send_email() for an account and by the mailer at each e-mail's turn. A function that
    tells people, or picks whom to tell, does not ask User.active itself (handover.tell,
    the reminders, the deletion notices, the June reminders and the takeover request each
    did, while the mailer's own copy left a family's deactivated account out); it may use
    notify.reached in a query. What this reads: each module's own functions; a helper
    imported from another module (org.queries.active_unit_leaders: who leads a unit now,
    its own rule) is not followed."""
    restated = [
        f"{name}:{line}: {text}"
        for name, path in MODULES.items()
        if name not in ("stafettlogg.notify", "stafettlogg.mailer")
        for line, text in _active_reads_where_people_are_told(ast.parse(path.read_text()))
    ]
    assert not restated, restated
    told_by_hand = "def tell(user, text):\n    if not user.active:\n        return\n    notify(user, 'k', text)\n"
    assert _active_reads_where_people_are_told(ast.parse(told_by_hand)) == [(2, "user.active")]


def _told_without_asking(tree) -> list:
    """notify(…, reached_checked=True) — told without notify reading the account — where
    the person is not one `notify.reached_among` picked in the same transaction: the call
    must be in a loop over the rows of a `with reached_among(…) as rows` (or of a function
    of the module that returns one), told by the loop's own name."""
    funcs = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    pickers = _closure(
        {"reached_among"},
        funcs,
        lambda _name, func, known: any(
            isinstance(r, ast.Return) and r.value is not None and _called(r.value) & known for r in ast.walk(func)
        ),
    )
    picked = set()  # the told calls in a loop over what a picker's with gives
    for block in ast.walk(tree):
        if not isinstance(block, ast.With):
            continue
        rows = {
            item.optional_vars.id
            for item in block.items
            if isinstance(item.optional_vars, ast.Name) and _called(item.context_expr) & pickers
        }
        for loop in ast.walk(block):
            if isinstance(loop, ast.For) and ast.unparse(loop.iter) in rows and isinstance(loop.target, ast.Name):
                picked |= {
                    id(call)
                    for call in ast.walk(loop)
                    if isinstance(call, ast.Call) and call.args and ast.unparse(call.args[0]) == loop.target.id
                }
    return [
        (call.lineno, ast.unparse(call))
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        and any(
            k.arg == "reached_checked" and not (isinstance(k.value, ast.Constant) and not k.value.value)
            for k in call.keywords
        )
        and id(call) not in picked
    ]


def test_told_without_asking_only_whom_reached_among_picked():
    """A guard. notify may be told the rule was asked (reached_checked=True: one read for a batch
    instead of one per notice) only of the accounts notify.reached_among picked, in the
    transaction it keeps open: anywhere else it restates the rule by assertion."""
    unasked = [
        f"{name}:{line}: {text}"
        for name, path in MODULES.items()
        for line, text in _told_without_asking(ast.parse(path.read_text()))
    ]
    assert not unasked, unasked
    trusted = (
        "with reached_among(q) as rows:\n    for user in rows:\n        notify(user, 'k', t, reached_checked=True)\n"
    )
    assert _told_without_asking(ast.parse(trusted)) == []
    for untrusted in (
        "for user in User.select().where(reached()):\n    notify(user, 'k', t, reached_checked=True)\n",
        "with reached_among(q) as rows:\n    notify(someone, 'k', t, reached_checked=True)\n",
    ):
        assert len(_told_without_asking(ast.parse(untrusted))) == 1, untrusted


def _asks_for_unit_leaders(node) -> bool:
    """A comparison of someone's role with the unit leader's (User.role == Role.UNIT_LEADER,
    or an alias's): the start of a query for a unit's leaders."""
    if not isinstance(node, ast.Compare):
        return False
    sides = [ast.unparse(part) for part in (node.left, *node.comparators)]
    return any(side.endswith(".role") for side in sides) and any(
        side in ("Role.UNIT_LEADER", "'unit_leader'") for side in sides
    )


def test_a_units_active_leaders_are_queried_in_one_place():
    """Who a unit's active leaders are is said once (org.queries.active_unit_leaders); a
    copy elsewhere drifts (one forgets User.active, another the order)."""
    home = "stafettlogg.org.queries"
    restated = []
    for name, path in MODULES.items():
        if name == home:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            is_where = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "where"
            if is_where and any(_asks_for_unit_leaders(inner) for arg in node.args for inner in ast.walk(arg)):
                restated.append(f"{name}:{node.lineno}")
    assert not restated, restated
    assert any(_asks_for_unit_leaders(node) for node in ast.walk(ast.parse(MODULES[home].read_text())))


def test_a_pending_answer_is_asked_of_the_model():
    """Whether a handover proposal or takeover request still waits for its answer, and
    closing it once (two answers at once: the later changes nothing), is said once, in
    models (Answer, AwaitsAnswer). A copied "pending" comparison or conditional update
    drifts from it."""
    pending = re.compile(
        r"""(==|!=)\s*["'](pending|accepted|declined)["']|["'](pending|accepted|declined)["']\s*(==|!=)"""
    )
    copied = [name for name, path in MODULES.items() if pending.search(path.read_text())]
    copied += [
        str(path.relative_to(ROOT)) for path in (ROOT / "templates").rglob("*.html") if pending.search(path.read_text())
    ]
    assert not copied, copied
    restated = {
        # a row's own status asked by hand (handover.status != PENDING): its property says it
        "asked": r"\b[a-z_]+\.status (==|!=) (Answer\.)?PENDING\b",
        # a conditional update closing a pending row: AwaitsAnswer.close_pending does it
        "closed": r"\.status == (Answer\.)?PENDING\)\s*\.execute\(\)",
    }
    for what, pattern in restated.items():
        found = [n for n, path in MODULES.items() if n != "stafettlogg.models" and re.search(pattern, path.read_text())]
        assert not found, (what, found)


# What a `flask …` command shows the operator (stafettlogg/console.py) and the calls that
# make the text in a language: a text given to the first without the second is not.
OPERATOR_OUTPUT = {
    "click.echo",
    "click.secho",
    "click.confirm",
    "click.prompt",
    "click.ClickException",
    "click.UsageError",
    "click.BadParameter",
    "click.FileError",
    "click.option",
    "option",
    "fail",
    "_fail",
}
TRANSLATING = {"msg", "msg_plural", "_", "_l", "gettext", "ngettext", "lazy_gettext"}


def _untranslated_words(node) -> list[str]:
    """The words in `node` that no gettext or msg() call makes (text with a letter, an
    f-string); a translating call's own arguments are its business."""
    if isinstance(node, ast.Call) and ast.unparse(node.func) in TRANSLATING:
        return []
    if isinstance(node, ast.Dict):  # the keys of a JSON line are names, not words
        return [word for value in node.values for word in _untranslated_words(value)]
    if isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str) and any(c.isalpha() for c in node.value)
    ):
        return [ast.unparse(node)[:40]]
    return [word for child in ast.iter_child_nodes(node) for word in _untranslated_words(child)]


# How a command, option or argument is made (stafettlogg/console.py): its help= is a
# msg(), said in the operator's language when --help shows it. click's own would take a
# literal, or render a text once at import.
MADE_BY_CONSOLE = {"command", "option", "argument"}
MADE_BY_CLICK = {f"click.{made}" for made in MADE_BY_CONSOLE} | {"click.group"}


def test_the_commands_say_everything_through_gettext():
    """The house rule (every text a person reads goes through gettext) holds for the
    operator at the command line too: the text given to click.echo, a ClickException or
    a prompt is a msg()/gettext call (rendered by console.say), never a literal; and
    --help too: every command, option and argument is made by console's command, option
    and argument with help= a msg() call, never a literal or none."""
    literal = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            made = ast.unparse(node.func) if isinstance(node, ast.Call) else ""
            if made in MADE_BY_CLICK and name != "stafettlogg.console":
                literal.append(f"{name}:{node.lineno} {made}: made by stafettlogg.console's {made[6:]}")
            if made in MADE_BY_CONSOLE:
                help = next((k.value for k in node.keywords if k.arg == "help"), None)
                if not (isinstance(help, ast.Call) and ast.unparse(help.func) == "msg"):
                    literal.append(f"{name}:{node.lineno} {made} help={ast.unparse(help) if help else None}")
            if made not in OPERATOR_OUTPUT:
                continue
            texts = node.args[:1] + [k.value for k in node.keywords if k.arg in ("message", "text")]
            if made in ("click.option", "option"):  # a prompt of its own
                texts = [k.value for k in node.keywords if k.arg in ("prompt", "confirmation_prompt")]
            literal += [f"{name}:{node.lineno} {word}" for text in texts for word in _untranslated_words(text)]
    assert not literal, literal
