"""What every windowed list (stafettlogg/windows.py) is checked for, said once: the newest
window first, «Vis flere» as a link to the next window as a whole page (and as htmx's
request for just its items), a walk through every window that shows each item once, and a
later window that costs what the first does."""

import re
from dataclasses import dataclass

from bench.run import counting
from stafettlogg.db import db

# cursors no window wrote: each starts from the newest
MADE_UP_CURSORS = ["", "tull", "2026-01-01T08:00:00_99999999999999999999999999", "2026-13-01_1"]
PAST_THE_OLDEST = "2025-01-01T00:00:00_1"  # a cursor before every item: an empty window


@dataclass(frozen=True)
class Listed:
    """A windowed list at `path` whose items show a number that `pattern` (one group) finds,
    continued by the query parameter `param`; a later window links back to the first with
    `back`."""

    path: str
    pattern: str
    param: str = "etter"
    back: str = "Til de nyeste"

    def numbers(self, html: str) -> list[int]:
        return [int(n) for n in re.findall(self.pattern, html)]

    def more(self, html: str, attribute: str) -> str | None:
        """The next window's address in «Vis flere»: `href` (a page) or `hx-get` (htmx)."""
        found = re.search(attribute + r'="(' + re.escape(self.path) + r"\?" + self.param + r'=[^"&#]+)', html)
        return found.group(1) if found else None

    def walk(self, client) -> tuple[list[int], int, str]:
        """Follow «Vis flere» as a link from the first window to the last: the numbers seen,
        the pages and all their HTML. Each is a whole page; a later one links to the newest."""
        seen, path, pages, walked = [], self.path, 0, ""
        while path:
            html = client.get(path).get_data(as_text=True)
            assert "<html" in html and "<h1" in html  # a whole page
            pages += 1
            seen += self.numbers(html)
            walked += html
            if pages > 1:
                assert self.back in html
            path = self.more(html, "href")
        return seen, pages, walked

    def next_window(self, client) -> str:
        """What htmx gets for the next window: its items, not a page."""
        link = self.more(client.get(self.path).get_data(as_text=True), "hx-get")
        fragment = client.get(link, headers={"HX-Request": "true"}).get_data(as_text=True)
        assert "<html" not in fragment and "<ul" not in fragment and "<h1" not in fragment
        assert fragment.lstrip().startswith("<li") and "data-focus-on-load" in fragment
        return fragment

    def costs(self, client, table: str, rows: int) -> None:
        """A later window runs as many queries as the first, reads `table` once with a
        LIMIT and no OFFSET, and fetches at most `rows` rows."""
        client.get(self.path)  # the first request of a client signs it in
        with counting(db) as first:
            html = client.get(self.path).get_data(as_text=True)
        with counting(db) as later:
            client.get(self.more(html, "href"))
        assert len(later["sql"]) == len(first["sql"])
        reads = [sql for sql, _params in first["sql"] if f'FROM "{table}"' in sql and "COUNT(" not in sql]
        assert len(reads) == 1 and "LIMIT" in reads[0] and "OFFSET" not in reads[0]
        assert first["rows"] <= rows and later["rows"] <= rows
