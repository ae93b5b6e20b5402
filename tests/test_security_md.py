"""SECURITY.md names the test that checks each promise: every test it names exists, and
the README links to it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def named_tests() -> list[tuple[str, str]]:
    """(file, test) for every `tests/x.py::test_y` and every `::test_z` after it."""
    text = (ROOT / "SECURITY.md").read_text()
    found, current = [], None
    for match in re.finditer(r"`(tests/[\w/]+\.py)?(?:::(test_\w+))?`", text):
        path, name = match.groups()
        if path:
            current = path
        if name:
            assert current, f"{name} named before any test file"
            found.append((current, name))
    return found


def test_every_test_security_md_names_exists():
    names = named_tests()
    assert len(names) > 40
    missing = [
        f"{path}::{name}"
        for path, name in names
        if not (ROOT / path).exists() or not re.search(rf"^def {name}\(", (ROOT / path).read_text(), re.M)
    ]
    assert missing == []


def test_readme_links_to_security_md():
    assert "](SECURITY.md)" in (ROOT / "README.md").read_text()
