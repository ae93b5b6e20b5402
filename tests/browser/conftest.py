"""Browser tests: the app served on a free port, Debian's Chromium driven by Playwright
(never a downloaded browser), axe-core checked on every page visited, and no console
errors or CSP violations."""

import json
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

AXE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text()
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def server_and_app(template_database, tmp_path):
    """The app served on a free port, on the test's own copy of the seeded database
    (tmp_path / "browser.sqlite3"), and the app itself (a test may change its config)."""
    from tests.conftest import ON_POSTGRES, _make_app

    assert not ON_POSTGRES, "browser tests run once, on SQLite"
    path = tmp_path / "browser.sqlite3"
    shutil.copy(template_database, path)
    app = _make_app(f"sqlite:///{path}", WTF_CSRF_ENABLED=True, TESTING=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)  # a free port, bound at once
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def live_server(server_and_app):
    return server_and_app[0]


@pytest.fixture
def log(server_and_app):
    """A log of the test's own in the live server's database: held by "stafettholder",
    "aktor" takes part, "foresatt" is the mother (tests/conftest.py a_log)."""
    from tests.conftest import a_log

    with server_and_app[1].app_context():
        return a_log()


@pytest.fixture
def meeting(server_and_app, log):
    """An evaluation meeting of `log` next week, with an agenda and no minutes yet."""
    from tests.conftest import a_meeting

    with server_and_app[1].app_context():
        return a_meeting(log)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--headless",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


class Page:
    """A Playwright page that runs axe on every page it visits and records console
    errors and CSP violations."""

    def __init__(self, page, base_url):
        self.page = page
        self.base = base_url
        self.console_errors = []
        self.csp_violations = []
        self.checked = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "{ (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI); });"
        )
        page.add_init_script(self.BUSY)

    # Marks <html data-test-busy> while a request the page sent is under way. A request
    # started while another is answered (htmx asking again on an HX-Trigger event) counts
    # before the first one ends, so "not busy" means nothing more is coming.
    BUSY = """(() => {
        let busy = 0;
        const mark = () => document.documentElement &&
            document.documentElement.toggleAttribute('data-test-busy', busy > 0);
        const send = XMLHttpRequest.prototype.send;
        XMLHttpRequest.prototype.send = function (...args) {
            busy++; mark();
            this.addEventListener('loadend', () => { busy--; mark(); });
            return send.apply(this, args);
        };
    })();"""
    # What is still moving: a request under way, or htmx swapping or settling content.
    MOVING = "html[data-test-busy], .htmx-request, .htmx-settling, .htmx-swapping, .htmx-added"

    # A form re-rendered with its errors answers 422 (or 409 on a conflict): Chromium
    # logs that as a failed load, but it is the expected answer, not an error.
    EXPECTED = ("status of 422", "status of 409")

    def _console(self, msg):
        if msg.type == "error" and not any(e in msg.text for e in self.EXPECTED):
            self.console_errors.append(msg.text)

    def goto(self, path):
        self.page.goto(self.base + path)
        self.check()

    def check(self):
        """axe-core with WCAG 2.1 A/AA rules: zero violations."""
        from playwright.sync_api import expect

        self.page.wait_for_load_state("networkidle")
        # a locator waits outside the page's CSP (wait_for_function would eval() inside it)
        expect(self.page.locator(self.MOVING)).to_have_count(0)
        csp = self.page.evaluate("(window.__csp || []).splice(0)")
        self.csp_violations.extend(csp)
        # evaluate() runs outside the page's CSP (an injected <script> would be blocked)
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE)
        result = self.page.evaluate(
            """async () => {
                const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
                return r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + ((n.any[0] || {}).message || '')).slice(0, 3)}));
            }"""
        )
        self.checked.append(self.page.url)
        # WCAG 1.4.10 (reflow), which axe does not test: at 320 CSS px and up nothing
        # makes the reader scroll sideways (a wide table scrolls in its own box)
        overflow = self.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0 and not result:
            result = [
                {"id": "reflow", "help": f"the page is {overflow}px wider than the screen", "nodes": self.wider()}
            ]
        # a table made to be read row by row on a phone (.table--stack) hides nothing to
        # the side, on a phone or a laptop
        scrolled = self.page.evaluate(
            """() => [...document.querySelectorAll('.table--stack')].filter(t =>
                [t, t.parentElement].some(e => e.scrollWidth > e.clientWidth + 1)).map(t => t.outerHTML.slice(0, 80))"""
        )
        if scrolled and not result:
            result = [{"id": "reflow", "help": "a stacked table scrolls sideways", "nodes": scrolled}]
        if result:
            ARTIFACTS.mkdir(exist_ok=True)
            self.page.screenshot(path=str(ARTIFACTS / "axe-failure.png"), full_page=True)
        assert result == [], f"axe violations on {self.page.url}:\n{json.dumps(result, indent=1, ensure_ascii=False)}"

    def wider(self) -> list[str]:
        """The innermost elements that reach past the screen's right edge (or left, right to left)."""
        return self.page.evaluate(
            """() => {
                const width = document.documentElement.clientWidth;
                const out = [...document.body.querySelectorAll('*')].filter(e => {
                    const r = e.getBoundingClientRect();
                    return r.width && (r.right > width + 0.5 || r.left < -0.5) &&
                        ![...e.children].some(c => { const q = c.getBoundingClientRect(); return q.right > width + 0.5 || q.left < -0.5; });
                });
                return out.slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                    (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '') +
                    ' :: ' + (e.textContent || '').trim().slice(0, 60));
            }"""
        )

    def click(self, selector):
        """Click, wait for what it loads, and check the page."""
        self.page.click(selector)
        self.page.wait_for_load_state("networkidle")
        self.check()

    def show_all(self, items: str, more: str) -> int:
        """Click «Vis flere» (the link `more`) until it is gone. Each click must add items
        (`items`) in place, move the focus to the first new one and leave a page axe finds
        clean. Returns how many items are then shown."""
        p = self.page
        shown = p.locator(items).count()
        while p.locator(more).count():
            p.click(more)
            p.wait_for_function(f"() => document.querySelectorAll({json.dumps(items)}).length > {shown}")
            focused = p.evaluate(
                f"() => document.querySelectorAll({json.dumps(items)})[{shown}] === document.activeElement"
            )
            assert focused, f"focus is not on the first new item of {items}"
            self.check()
            shown = p.locator(items).count()
        return shown

    def download(self, selector) -> bytes:
        """Click what starts a download; the downloaded file's bytes."""
        with self.page.expect_download() as info:
            self.page.click(selector)
        return Path(info.value.path()).read_bytes()

    def fill_form(self, fields: dict) -> None:
        """Type each value into its field (selector -> value); a <select> gets the option."""
        for selector, value in fields.items():
            field = self.page.locator(selector)
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(value)
            else:
                field.fill(value)

    def login(self, username, password="demo-passord"):
        self.page.goto(self.base + "/login")
        self.check()
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")
        assert "/login" not in self.page.url, f"login as {username} failed"
        self.check()
        if self.page.url.endswith("/konto/sikkerhet"):
            self.enrol_second_factor(password)
            self.page.click("text=Jeg har tatt vare på kodene")
            self.page.wait_for_load_state("networkidle")

    def enrol_second_factor(self, password="demo-passord") -> str:
        """On the set-up page: read the key shown as text, type the password and the code
        it gives now. Returns the key (base32)."""
        import pyotp

        secret = self.page.inner_text("#secret-key").replace(" ", "")
        self.page.fill("#on-password", password)
        self.page.fill("#code", pyotp.TOTP(secret).now())
        self.page.click("button:has-text('Slå på innloggingskode')")
        self.page.wait_for_load_state("networkidle")
        self.check()
        return secret

    def logout(self):
        self.page.click("text=Logg ut")
        self.page.wait_for_load_state("networkidle")

    def screenshot(self, name):
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def assert_clean(self):
        """No CSP violation and nothing in the console, counting what the page still had
        on its way when the test ended (a refresh after the last save): it ends here, not
        in the next test's database."""
        from playwright.sync_api import expect

        if not self.page.is_closed():
            expect(self.page.locator(self.MOVING)).to_have_count(0)
            self.csp_violations.extend(self.page.evaluate("(window.__csp || []).splice(0)"))
        assert self.csp_violations == [], self.csp_violations
        assert self.console_errors == [], self.console_errors


def page_at(width: int, browser, live_server):
    """A signed-out page in a browser window `width` px wide, checked clean at the end:
    a module's own `page` fixture, parametrized by width, yields from it."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="nb-NO", reduced_motion="reduce")
    p = Page(context.new_page(), live_server)
    yield p
    p.assert_clean()
    context.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO", reduced_motion="reduce")
    p = Page(context.new_page(), live_server)
    p.page.on("dialog", lambda dialog: dialog.accept())
    yield p
    p.assert_clean()
    context.close()
