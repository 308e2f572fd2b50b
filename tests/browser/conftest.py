"""Real Chromium (Debian's package) driven by Playwright against Django's live server.

No browser is ever downloaded: we point Playwright at Debian's `chromium-headless-shell`, the
headless build of Chromium that Playwright itself uses for headless runs (the full `chromium`, in
its new headless mode, took 46 % more CPU for the same tests: docs/benchmarks.md, "Test suite").
A machine with only the full `chromium` uses that. When neither is there, the browser tests are
skipped with a message naming the package, except under CI, where a missing browser fails the run.
"""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the tests still touch the ORM
# directly to arrange data, which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = (
    shutil.which("chromium-headless-shell")
    or shutil.which("chromium")
    or shutil.which("chromium-browser")
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM:
        message = (
            "Chromium is not installed: install the Debian package 'chromium-headless-shell' "
            "(make test does it when run as root)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    args = [
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": args}


@pytest.fixture
def page(page, live_server):
    """A page whose console errors (for example a CSP violation) fail the test."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(10_000)
    yield page
    assert errors == [], f"browser console errors: {errors}"


class OtherPeople:
    """``other_person(email)`` signs a person in, in a browser context of their own;
    ``other_person.blank()`` opens a page in a new context, signed out."""

    def __init__(self, new_context, url: str):
        self.new_context, self.url = new_context, url
        self.contexts: list = []

    def blank(self):
        context = self.new_context()
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    def __call__(self, email: str, password: str | None = None):
        from tests.factories import PASSWORD

        page = self.blank()
        page.goto(f"{self.url}/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password or PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        return page


@pytest.fixture
def other_person(new_context, live_server):
    """Open pages as other people, each in their own browser context, closed after the test
    (an open context keeps a connection to the live server, and so to the database).

    The contexts take the test's context arguments, as its `page` does: a test marked
    `browser_context_args(java_script_enabled=False)` has scripts off for everyone in it."""
    people = OtherPeople(new_context, live_server.url)
    yield people
    for context in people.contexts:
        context.close()


@pytest.fixture(autouse=True)
def _short_pauses(settings):
    """The browser tests wait for an autosave or a file, not for the clock: the pauses a person
    gets (tested in tests/views) are shortened here, so a journey does not sit through them."""
    settings.AUTOSAVE_AFTER_CHOICE_MS = 300
    settings.AUTOSAVE_AFTER_TYPING_MS = 1000
    settings.REPORT_REFRESH_SECONDS = 2
