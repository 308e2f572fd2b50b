"""Run axe-core in the page and fail on any WCAG 2.2 A/AA violation; keep a screenshot.

A screenshot of every page title checked goes to artifacts/screenshots/ (named after the title),
so a reviewer can look at the pages without running anything (README, "Screenshots").
"""

import os
import re
import tempfile
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
# Only violations are gathered: with every rule's passes too, axe spent about a third more time
# describing each passing element of a long page and sending it all back.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "artifacts" / "screenshots"
_axe = Axe()  # for its copy of axe-core's script
# Titles already photographed in this run: a page checked again (at another width, or by
# another journey) would only overwrite its picture, and a full-page shot of a long page takes
# seconds.
_taken: set[str] = set()
# The test workers of one run (pytest-xdist gives them this id) share the folder: the first of
# them to claim a title takes its picture, so no title is taken once per worker.
_RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID")


def _first_to_claim(slug: str) -> bool:
    if slug in _taken:
        return False
    _taken.add(slug)
    if _RUN:
        claims = Path(tempfile.gettempdir()) / f"screenshots-{_RUN}"
        claims.mkdir(exist_ok=True)
        try:
            os.close(os.open(claims / slug, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
    return True


def screenshot(page: Page, name: str | None = None) -> Path:
    title = name or page.title().split(" \N{EN DASH} ")[0]
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80] or "page"
    path = SCREENSHOTS / f"{slug}.png"
    if _first_to_claim(slug):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
    return path


def assert_accessible(page: Page) -> None:
    # axe-core (half a megabyte) is put into the document once: a page checked again after an
    # htmx swap, without a reload, still has it.
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe.axe_script)
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    violations = results["violations"]
    summary = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    ]
    assert violations == [], f"{page.url}: " + "\n".join(summary)
    screenshot(page)
