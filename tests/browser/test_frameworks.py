"""The public framework pages pass axe in Chromium, and their citation links lead somewhere."""

import pytest
from playwright.sync_api import expect

from assessment.frameworks import load, read
from tests.browser.axe import assert_accessible
from tests.test_question_bank import BANK

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_real_framework_pages_are_accessible(page, live_server):
    load(read(BANK))
    base = f"{live_server.url}/frameworks/iicsa-cse-networks/2022.1"
    page.goto(f"{live_server.url}/frameworks/")
    assert_accessible(page)
    page.get_by_role("link", name="Child sexual exploitation by organised networks").click()
    expect(page.get_by_role("heading", name="Themes", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_role(
        "link", name="4. Risk assessment, protection from harm and outcomes for children"
    ).click()
    expect(page.locator("#RA-01")).to_contain_text("Critical")
    assert_accessible(page)

    # A citation goes to the paragraph on the sources page, which lists what cites it.
    page.locator("#RA-01").get_by_role("link", name="Annex 4 para 8").first.click()
    expect(page.locator("#annex-4-para-8")).to_contain_text("RA-01")
    assert_accessible(page)

    for path in ["/glossary", "/methodology"]:
        page.goto(base + path)
        assert_accessible(page)
