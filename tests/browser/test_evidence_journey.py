"""Evidence in Chromium, as one story (issue 17's "done means"): the lead attaches a new PDF to
AA-01 without leaving the question page, reuses it on AA-02, lets it go out of date (its review
date passes) and sees it flagged and the coverage drop; after sign-off the item cannot be
deleted; an outsider and a viewer of another partnership get 404 on its download; a file with a
PDF name and HTML content is refused. Axe checks every page on the way."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from assessment.evidence import simple_pdf
from assessment.models import Agency, EvidenceItem, Role
from tests.browser import axe
from tests.browser.test_partnerships import sign_in
from tests.factories import (
    make_assessment,
    make_framework,
    make_member,
    make_partnership,
    make_user,
    put_in_review,
    sign_off_by_board,
)
from tests.views.test_results import answer_all

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("immediate_tasks")]


def fill_date(page: Page, prefix: str, day: int, month: int, year: int) -> None:
    for part, value in enumerate((day, month, year)):
        page.locator(f"#id_{prefix}_{part}").fill(str(value))


def test_attach_reuse_go_out_of_date_sign_off_and_keep(
    page, other_person, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    make_framework()
    partnership = make_partnership("Northdale Safeguarding Partnership")
    alice = make_user("alice@example.org", "Alice Lead")
    make_member(partnership, alice, Role.LEAD, Agency.CHILDRENS_SOCIAL_CARE)
    elsewhere = make_partnership("Glanmor Regional Board")
    make_member(elsewhere, make_user("charlie@example.org", "Charlie"), Role.LEAD, Agency.POLICE)
    make_member(elsewhere, make_user("vic@example.org", "Vic Viewer"), Role.VIEWER, Agency.OTHER)
    assessment = make_assessment(partnership, title="Self-assessment 2025")
    answer_all(assessment, alice, {"AA-01": "good", "AA-02": "poor", "BB-01": "established"})
    home = f"{live_server.url}/assessments/{assessment.code}/"
    pdf = tmp_path / "problem-profile.pdf"
    pdf.write_bytes(simple_pdf(["Northdale problem profile 2025", "Fictional test data"]))

    # A new PDF attached to AA-01 from the question page.
    sign_in(page, live_server.url, "alice@example.org")
    page.goto(f"{home}themes/AA/")
    page.locator("#evidence-AA-01 summary").click()
    page.get_by_label("AA-01 Title").fill("Problem profile 2025")
    page.get_by_label("AA-01 Kind of evidence").select_option(label="Problem profile")
    page.get_by_label("AA-01 Owning agency").select_option(label="Police")
    fill_date(page, "AA-01-ev-produced", 1, 4, 2025)
    fill_date(page, "AA-01-ev-period_start", 1, 4, 2024)
    fill_date(page, "AA-01-ev-period_end", 31, 3, 2025)
    review = timezone.localdate() + timedelta(days=365)
    fill_date(page, "AA-01-ev-review_by", review.day, review.month, review.year)
    page.get_by_label("AA-01 Upload a file").set_input_files(str(pdf))
    page.get_by_label(
        "AA-01 I confirm the file holds no information that identifies a child"
    ).check()
    axe.assert_accessible(page)
    page.get_by_role("button", name="Attach evidence to AA-01").click()
    expect(page.get_by_text("AA-01: “Problem profile 2025” attached")).to_be_visible()
    evidence_01 = page.locator("#evidence-AA-01")
    expect(evidence_01.get_by_role("link", name="Problem profile 2025", exact=True)).to_be_visible()
    expect(evidence_01.get_by_text("Current", exact=True)).to_be_visible()
    axe.assert_accessible(page)

    # Reused on AA-02: chosen from the register, not uploaded again.
    page.locator("#evidence-AA-02 summary").click()
    page.get_by_label("AA-02 An item in the evidence register").select_option(
        label="Problem profile 2025 (Problem profile, 1 April 2025)"
    )
    page.get_by_role("button", name="Attach evidence to AA-02").click()
    expect(page.get_by_text("AA-02: “Problem profile 2025” attached")).to_be_visible()
    assert EvidenceItem.objects.count() == 1

    page.goto(f"{home}results")
    expect(page.get_by_text("2 of 3 scored answers have current evidence")).to_be_visible()
    axe.assert_accessible(page)

    # It goes out of date: its review date passes.
    item = EvidenceItem.objects.get()
    page.goto(f"{live_server.url}/partnerships/{partnership.code}/evidence/{item.code}/")
    axe.assert_accessible(page)
    page.get_by_role("button", name="Change").click()
    yesterday = timezone.localdate() - timedelta(days=1)
    fill_date(page, "review_by", yesterday.day, yesterday.month, yesterday.year)
    axe.assert_accessible(page)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Review date passed")).to_be_visible()

    page.goto(f"{home}themes/AA/")
    expect(page.locator("#evidence-AA-01").get_by_text("Out of date", exact=True)).to_be_visible()
    page.goto(f"{home}results")
    expect(page.get_by_text("0 of 3 scored answers have current evidence")).to_be_visible()
    expect(page.get_by_text("2 attached items are out of date")).to_be_visible()
    page.goto(home)
    expect(page.get_by_text("2 evidence items out of date")).to_be_visible()
    axe.assert_accessible(page)

    # Signed off: the record relies on the file, so it cannot be deleted.
    put_in_review(assessment)
    sign_off_by_board(assessment, alice)
    page.goto(f"{live_server.url}/partnerships/{partnership.code}/evidence/{item.code}/")
    expect(page.get_by_text("A signed-off self-assessment relies on this item")).to_be_visible()
    expect(page.get_by_role("link", name="Delete")).to_have_count(0)
    page.goto(f"{live_server.url}/partnerships/{partnership.code}/evidence/{item.code}/delete")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "You cannot delete this evidence item"
    )
    axe.assert_accessible(page)
    assert EvidenceItem.objects.filter(pk=item.pk).exists()

    # Outsiders: a lead and a viewer of another partnership get 404 on the download.
    download = f"{live_server.url}/partnerships/{partnership.code}/evidence/{item.code}/download"
    for email in ("charlie@example.org", "vic@example.org"):
        outsider = other_person(email)
        assert outsider.request.get(download).status == 404

    # A PDF name with HTML inside is refused, and the rest of the form is kept.
    html = tmp_path / "report.pdf"
    html.write_bytes(b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")
    page.goto(f"{live_server.url}/partnerships/{partnership.code}/evidence/new")
    page.get_by_label("Title").fill("Not really a PDF")
    page.get_by_label("Kind of evidence").select_option(label="Audit report")
    fill_date(page, "produced", 2, 5, 2025)
    page.get_by_label("Upload a file").set_input_files(str(html))
    page.get_by_label("I confirm the file holds no information that identifies a child").check()
    page.get_by_role("button", name="Add evidence item").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The selected file must be a PDF, Word document"
    )
    expect(page.get_by_label("Title")).to_have_value("Not really a PDF")
    axe.assert_accessible(page)
    assert EvidenceItem.objects.count() == 1
