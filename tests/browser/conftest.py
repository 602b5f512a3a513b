"""Browser test helpers: a `page` that records CSP violations and uncaught errors, and an `app` driver.

Every page visited through `app.goto()` (or checked with `app.assert_healthy()` after a click) must load with
no CSP violation (SH11 in docs/specs), with Bootstrap's CSS and JS and with htmx. On teardown, the `page` fixture
also fails the test if any CSP violation was logged to the console on any document the test loaded, if a
script threw an uncaught error, or if a static file failed to load.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import ConsoleMessage, Page, Response, expect
from pytest_django.live_server_helper import LiveServer

from accounts.mfa import has_second_factor, mfa_required
from accounts.models import User
from accounts.services import user_create
from tests.support import mfa as test_mfa

PASSWORD = "a-long-test-passphrase-42"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Installed before any page script runs; Playwright's init scripts are not subject to the page's CSP.
CSP_LISTENER = (
    "window.__csp=[];document.addEventListener('securitypolicyviolation',"
    "e=>window.__csp.push(e.violatedDirective+' '+e.blockedURI))"
)
# Read the listener's findings one task after `load`, so violation events queued during load have fired.
READ_CSP = "() => new Promise(resolve => setTimeout(() => resolve(window.__csp), 0))"
# One round trip per page. The .btn-primary is a probe (not every page has one): its background is transparent
# when Bootstrap's stylesheet did not load.
PAGE_HEALTH = """async () => {
  const csp = await new Promise(resolve => setTimeout(() => resolve(window.__csp), 0));
  const probe = document.createElement("button");
  probe.className = "btn btn-primary";
  document.body.append(probe);
  const bootstrapCss = getComputedStyle(probe).backgroundColor;
  probe.remove();
  return {
    csp,
    unloadedStylesheets: [...document.querySelectorAll("link[rel=stylesheet]")].filter(l => !l.sheet).map(l => l.href),
    bootstrapCss,
    bootstrapJs: typeof window.bootstrap?.Collapse,
    htmx: typeof window.htmx?.ajax,
  };
}"""
TRANSPARENT = ("rgba(0, 0, 0, 0)", "transparent")


class RequestsInFlight:
    """Counts the live server's running requests, so a test's teardown can wait until none is left.

    Otherwise a late request (Chromium's /favicon.ico after the last page, an htmx request) can hold locks while
    the transactional test's flush empties every table: PostgreSQL reports a deadlock, the flush fails and the
    next test starts with the previous test's rows. It wraps the WSGI application, so a request counts until
    the server has closed its response, after Django's request_finished (which closes the DB connection), even
    when the application raised.
    """

    def __init__(self, app: Callable) -> None:
        self._app = app
        self._lock = threading.Lock()
        self.count = 0

    def _add(self, n: int) -> None:
        with self._lock:
            self.count += n

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        self._add(1)
        try:
            result = self._app(environ, start_response)
        except BaseException:
            self._add(-1)
            raise
        return _ClosedCallback(result, lambda: self._add(-1))

    def wait_until_idle(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.count > 0:
            assert time.monotonic() < deadline, f"{self.count} live server request(s) still running"
            time.sleep(0.01)


class _ClosedCallback:
    """A WSGI response body that calls `done` after the wrapped body's close()."""

    def __init__(self, result: Iterable[bytes], done: Callable[[], None]) -> None:
        self._result, self._done = result, done

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._result)

    def close(self) -> None:
        try:
            if hasattr(self._result, "close"):
                self._result.close()
        finally:
            self._done()


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest):
    """pytest-django's live server, started with SECURE_SSL_REDIRECT off.

    The server thread builds its middleware once, at start-up, and SecurityMiddleware reads SECURE_SSL_REDIRECT in
    its __init__: the function-scoped `_plain_http_test_settings` (tests/conftest.py) comes too late for it, so
    every request would be redirected to https:// (ERR_SSL_PROTOCOL_ERROR in Chromium). The override lasts only
    while the thread starts, so later tests still see the production setting.
    """
    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    with override_settings(SECURE_SSL_REDIRECT=False):
        server = LiveServer(addr)
    httpd = server.thread.httpd
    server.requests_in_flight = RequestsInFlight(httpd.get_app())
    httpd.set_app(server.requests_in_flight)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Reduced motion turns off Bootstrap's smooth scrolling and transitions: clicks need no scroll animation."""
    return {**browser_context_args, "viewport": DESKTOP, "reduced_motion": "reduce"}


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings) -> None:
    """Argon2 costs about 0.3 s per hash and again per login; these tests are about pages, not hashing (the
    hasher settings are tested without a browser). The live server reads the hashers per request."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def page_problems() -> list[str]:
    """CSP violations logged to the console, uncaught script errors and failed static files, on any document."""
    return []


@pytest.fixture
def page(page: Page, page_problems: list[str], live_server):
    """pytest-playwright's page, with the CSP listener installed on every document it loads.

    On teardown it closes the page (no new requests) and waits for the live server to finish the running ones,
    before pytest-django flushes the database.
    """
    page.set_default_timeout(10_000)
    page.add_init_script(CSP_LISTENER)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            page_problems.append(f"console: {message.text}")

    def on_response(response: Response) -> None:
        if "/static/" in response.url and response.status >= 400:
            page_problems.append(f"static file {response.status}: {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: page_problems.append(f"uncaught error: {error}"))
    yield page
    page.close()
    live_server.requests_in_flight.wait_until_idle()
    assert page_problems == [], page_problems


class App:
    """Drives the live server through one browser page."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str, *, status: int = 200) -> Response:
        response = self.page.goto(self.url(path))
        assert response is not None
        assert response.status == status, f"GET {path}: {response.status}"
        self.assert_healthy()
        return response

    def assert_healthy(self) -> None:
        """The current page loaded without CSP violations, with Bootstrap (CSS and JS) and htmx."""
        page = self.page
        page.wait_for_load_state("load")
        health = page.evaluate(PAGE_HEALTH)
        assert health["csp"] == [], f"CSP violations on {page.url}: {health}"
        assert health["unloadedStylesheets"] == [], f"stylesheets not loaded on {page.url}: {health}"
        assert health["bootstrapCss"] not in TRANSPARENT, f"no Bootstrap CSS on {page.url}: {health}"
        assert health["bootstrapJs"] == "function", f"no Bootstrap JS on {page.url}: {health}"
        assert health["htmx"] == "function", f"no htmx on {page.url}: {health}"

    def log_in(self, email: str, password: str = PASSWORD, secret: str = test_mfa.TEST_SECRET) -> None:
        """Log in through the real login form, starting from the home page (which redirects to it).

        A user who must have two-factor authentication gets a TOTP authenticator with the test secret (once) and
        passes the real code step (tests/support/mfa.py); the code's replay mark from an earlier login of the
        same user in this test is forgotten first, so two logins within 30 s both work.
        """
        page = self.page
        user = User.objects.get(email__iexact=email)
        needs_code = mfa_required(user)
        if needs_code and not has_second_factor(user):
            test_mfa.totp_enrol(user)
        self.goto("/")
        expect(page).to_have_url(self.url("/accounts/login/?next=/"))
        expect(page.get_by_role("heading", name="Log in")).to_be_visible()
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        if needs_code:
            expect(page).to_have_url(self.url("/accounts/2fa/authenticate/"))
            for _attempt in range(2):  # a loaded machine can deliver a code after its 30-s step ended: retry once
                code = test_mfa.fresh_totp_code(secret, min_seconds_left=2)
                test_mfa.forget_code_use(user, code)
                page.locator("input[name=code]").fill(code)
                with page.expect_navigation():  # to "/" or, for a late code, the same form again
                    page.get_by_role("button", name="Sign in").click()
                if not page.url.endswith("/accounts/2fa/authenticate/"):
                    break
        expect(page).to_have_url(self.url("/"))
        self.assert_healthy()

    def no_horizontal_overflow(self) -> bool:
        width = self.page.viewport_size["width"]
        return self.page.evaluate("() => document.documentElement.scrollWidth") <= width


@pytest.fixture
def app(page: Page, live_server) -> App:
    return App(page, live_server.url)


@pytest.fixture
def make_user(transactional_db):
    """Users with a real password, who can log in through the form."""

    def make(role: str, first_name: str) -> User:
        email = f"{first_name.lower()}.{role}@example.com"
        return user_create(actor=None, email=email, role=role, password=PASSWORD, first_name=first_name)

    return make


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
