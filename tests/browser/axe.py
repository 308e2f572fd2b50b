"""Run axe-core in the page and fail on any WCAG 2.2 A/AA violation; keep a screenshot.

Screenshots of every checked page go to artifacts/screenshots/ (named after the page title), so
a reviewer can look at the pages without running anything (README, "Screenshots").
"""

import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "artifacts" / "screenshots"
_axe = Axe()


def screenshot(page: Page, name: str | None = None) -> Path:
    title = name or page.title().split(" \N{EN DASH} ")[0]
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80] or "page"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{slug}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_accessible(page: Page) -> None:
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = results.response["violations"]
    summary = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    ]
    assert violations == [], f"{page.url}: " + "\n".join(summary)
    screenshot(page)
