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


def test_the_2022_2_pages_with_reasons_bases_scopes_and_documents_are_accessible(page, live_server):
    from tests.test_question_bank import BANK_2022_2

    load(read(BANK))
    load(read(BANK_2022_2))
    base = f"{live_server.url}/frameworks/iicsa-cse-networks/2022.2"
    page.goto(f"{base}/themes/PP")
    expect(page.locator("#PP-08")).to_contain_text("Police basic command unit")
    assert_accessible(page)

    # A citation of a named document leads to that document on the sources page.
    page.locator("#PP-01").get_by_role("link", name="HMICFRS 2023").first.click()
    expect(page.locator("#document-hmicfrs-2023")).to_contain_text("PP-01")
    assert_accessible(page)

    page.goto(f"{base}/themes/RA")
    expect(page.locator("#RA-01")).to_contain_text("Why this question is critical")
    assert_accessible(page)

    page.goto(f"{base}/methodology")
    expect(page.get_by_role("heading", name="Thresholds set by this framework")).to_be_visible()
    assert_accessible(page)
