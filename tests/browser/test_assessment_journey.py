"""The whole cycle in Chromium, as one story: a lead invites a contributor who joins; themes are
assigned and answered with autosave; two people's changes conflict and one is chosen; a
scrutineer comments; an action is raised from a suggestion; the cycle is submitted, signed off,
reopened and signed off again; its results and PDF report are read; the next cycle starts with the
answers and the open action carried over and is compared with the first. Axe checks every page
type on the way.

The story runs twice: with JavaScript, and with it off in every person's browser. Without it,
"Save as draft" does what autosave does, and the error summary is not focused but still links to
the fields; axe, itself a script, runs only in the first run."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from assessment.models import Action, Agency, Answer, Assessment, Role, Status
from tests.browser import axe
from tests.browser.test_partnerships import invitation_link, sign_in
from tests.factories import make_framework, make_member, make_partnership, make_user
from tests.test_pdf import read as read_pdf
from tests.worker import run_worker_until_idle

pytestmark = pytest.mark.django_db(transaction=True)

PARTNERSHIP = "Northdale Safeguarding Partnership"
SUGGESTED = "Police to make sure good answer"
JS_ENABLED = re.compile(r"\bjs-enabled\b")  # the class our script puts on the body


def answer(page, code: str, option: str, evidence: str) -> None:
    section = page.locator(f"section#{code}")
    section.get_by_label(option, exact=True).check()
    section.get_by_label("How do you know?").fill(evidence)


def save(page: Page, *, javascript: bool) -> None:
    """Keep the answers as they are: autosave does it unasked; without scripts, "Save as draft"."""
    if javascript:
        expect(page.locator("#autosave-status")).to_contain_text("Saved automatically")
    else:
        page.get_by_role("button", name="Save as draft").click()
        expect(page.get_by_text(re.compile(r"^\d+ answers? saved$"))).to_be_visible()


def expect_scripts(page: Page, *, javascript: bool) -> None:
    """Proof that this person's browser runs scripts, or not, as the run says."""
    if javascript:
        expect(page.locator("body")).to_have_class(JS_ENABLED)
    else:
        expect(page.locator("body")).not_to_have_class(JS_ENABLED)


def fill_date(page: Page, legend: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def record_board_approval(page: Page) -> None:
    fill_date(page, "Date of the board meeting", "12", "6", "2025")
    page.get_by_label("Your name").fill("Alice Lead")
    page.get_by_label("Your role").fill("Partnership business manager")
    page.get_by_role("button", name="Record the board's approval and sign off").click()


def fill_cycle(page: Page, title: str, first_year: int) -> None:
    """The start form for a cycle running from 1 April of first_year to 31 March the year after."""
    page.get_by_label("Title").fill(title)
    fill_date(page, "Start of the period assessed", "1", "4", str(first_year))
    fill_date(page, "End of the period assessed", "31", "3", str(first_year + 1))


@pytest.mark.parametrize(
    "javascript",
    [
        pytest.param(True, id="with-javascript"),
        pytest.param(
            False,
            id="without-javascript",
            marks=pytest.mark.browser_context_args(java_script_enabled=False),
        ),
    ],
)
def test_a_full_cycle(javascript, page, other_person, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # where the signed-off report is stored
    # axe is a script injected into the page, so it cannot run with scripts off (it hangs); the
    # run with JavaScript checks the same page types.
    assert_accessible = axe.assert_accessible if javascript else lambda page: None
    make_framework()
    partnership = make_partnership(PARTNERSHIP)
    make_member(
        partnership,
        make_user("alice@example.org", "Alice Lead"),
        Role.LEAD,
        Agency.CHILDRENS_SOCIAL_CARE,
    )
    make_member(
        partnership, make_user("hana@example.org", "Hana Health"), Role.CONTRIBUTOR, Agency.HEALTH
    )
    make_member(
        partnership, make_user("sam@example.org", "Sam Scrutineer"), Role.SCRUTINEER, Agency.OTHER
    )

    # The lead invites the police contributor, who accepts in their own browser and sets a password.
    sign_in(page, live_server.url, "alice@example.org")
    expect_scripts(page, javascript=javascript)
    page.get_by_role("link", name="Members", exact=True).click()
    page.get_by_role("button", name="Invite someone").click()
    assert_accessible(page)
    page.get_by_label("Email address").fill("pat@example.org")
    page.get_by_label("Contributor").check()
    page.get_by_label("Police", exact=True).check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to pat@example.org")).to_be_visible()
    assert mail.outbox[-1].to == ["pat@example.org"]

    police = other_person.blank()
    police.goto(invitation_link())
    expect(police.get_by_role("heading", name="Create your account")).to_be_visible()
    expect_scripts(police, javascript=javascript)
    assert_accessible(police)
    police.get_by_label("Full name").fill("Pat Police")
    police.get_by_label("Create a password").fill("seven purple otters singing")
    police.get_by_label("Confirm your password").fill("seven purple otters singing")
    police.get_by_role("button", name="Create account and join").click()
    expect(police.get_by_role("heading", name=f"You have joined {PARTNERSHIP}")).to_be_visible()
    assert_accessible(police)
    police.get_by_role("link", name="Skip for now").click()
    expect(police.get_by_text("You are a contributor")).to_be_visible()

    # The lead starts the cycle and gives each theme to an agency.
    page.get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading", name=PARTNERSHIP)).to_be_visible()
    page.get_by_role("button", name="Start a self-assessment").click()
    assert_accessible(page)
    fill_cycle(page, "Self-assessment 2025", 2024)
    page.get_by_role("button", name="Start self-assessment").click()
    expect(page.get_by_role("heading", name="Self-assessment 2025")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Assign themes to agencies").click()
    assert_accessible(page)
    page.get_by_role("group", name="Theme AA").get_by_label("Police").check()
    page.get_by_role("group", name="Theme BB").get_by_label("Health").check()
    page.get_by_role("button", name="Save assignments").click()
    expect(page.get_by_text("Theme assignments saved")).to_be_visible()
    home = page.url

    # The new police contributor answers theme AA; autosave keeps the work without a click.
    police.goto(home)
    police.get_by_role("link", name="1. Theme AA").click()
    assert_accessible(police)
    answer(police, "AA-01", "Good answer", "Audit of 20 cases in March 2025")
    evidence_count = police.locator("section#AA-01 .govuk-character-count")
    if javascript:  # GOV.UK Frontend counts down as you type
        expect(evidence_count).to_contain_text(re.compile(r"You have 4,?969 characters remaining"))
    else:  # the limit is still stated, and the server enforces it
        expect(evidence_count).to_contain_text("You can enter up to 5000 characters")
    save(police, javascript=javascript)
    saved = Answer.objects.get(question__code="AA-01")
    assert saved.evidence == "Audit of 20 cases in March 2025"
    assert saved.answered_by is not None and saved.answered_by.email == "pat@example.org"

    # A mistake shows the error summary (focused, with scripts), linked to the field, and keeps
    # everything typed.
    section = police.locator("section#AA-03")
    section.get_by_label("Suspects without ethnicity").fill("12")
    section.get_by_label("All suspects").fill("10")
    police.get_by_role("button", name="Save as draft").click()
    summary = police.locator(".govuk-error-summary")
    expect(summary).to_contain_text("cannot be more than all suspects")
    if javascript:
        expect(summary).to_be_focused()
    expect(section.get_by_label("Suspects without ethnicity")).to_have_value("12")
    expect(section.get_by_label("All suspects")).to_have_value("10")
    expect(police.locator("section#AA-01").get_by_label("How do you know?")).to_have_value(
        "Audit of 20 cases in March 2025"
    )
    assert_accessible(police)
    summary.get_by_role("link", name=re.compile("cannot be more than all suspects")).click()
    field = section.get_by_label("Suspects without ethnicity")
    expect(field).to_be_in_viewport()
    if javascript:
        expect(field).to_be_focused()
    field.fill("3")
    police.locator("section#AA-03").get_by_label("How do you know?").fill("Crime system report")

    # The lead opens the same theme, then police saves AA-02 first: the lead's save conflicts.
    page.goto(home)
    page.get_by_role("link", name="1. Theme AA").click()
    answer(police, "AA-02", "Established answer", "Police view")
    police.get_by_role("button", name="Save as draft").click()
    expect(police.get_by_text("answers saved")).to_be_visible()
    if javascript:  # no autosave: a stale page (without scripts, it is one already)
        page.evaluate("document.getElementById('theme-form').removeAttribute('data-hx-post')")
        page.evaluate("htmx.process(document.body)")
    answer(page, "AA-02", "Developing answer", "Lead view")
    page.get_by_role("button", name="Save as draft").click()
    expect(
        page.get_by_role("heading", name="Someone else changed 1 answer while you were working")
    ).to_be_visible()
    expect(page.get_by_text("Police view")).to_be_visible()
    expect(page.get_by_text("Lead view")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Replace it with mine").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("answer saved")).to_be_visible()
    assert Answer.objects.get(question__code="AA-02").evidence == "Lead view"

    # Health answers its theme, with one poor answer; the scrutineer comments on an answer.
    health = other_person("hana@example.org")
    health.goto(home)
    health.get_by_role("link", name="2. Theme BB").click()
    answer(health, "BB-01", "Good answer", "Health audit 2025")
    answer(health, "BB-02", "Poor answer", "No safeguarding team records yet")
    health.get_by_role("button", name="Save and continue").click()
    expect(health.get_by_role("heading", name="Self-assessment 2025")).to_be_visible()
    expect_scripts(health, javascript=javascript)

    scrutineer = other_person("sam@example.org")
    scrutineer.goto(home)
    expect_scripts(scrutineer, javascript=javascript)
    scrutineer.get_by_role("link", name="1. Theme AA").click()
    assert_accessible(scrutineer)
    scrutineer.get_by_label("Add a comment on AA-01").fill("Which cases did the audit sample?")
    scrutineer.get_by_role("button", name="Add comment on AA-01").click()
    expect(scrutineer.get_by_text("Which cases did the audit sample?")).to_be_visible()

    # The lead finishes, checks and submits.
    page.goto(home)
    page.get_by_role("link", name="1. Theme AA").click()
    expect(page.get_by_text("Which cases did the audit sample?")).to_be_visible()
    page.locator("section#AA-03").get_by_label("Suspects without ethnicity").fill("3")
    page.locator("section#AA-03").get_by_label("All suspects").fill("10")
    page.locator("section#AA-03").get_by_label("How do you know?").fill("Crime system report")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="2. Theme BB")).to_be_visible()
    page.goto(home)
    page.get_by_role("link", name="Check answers and submit").click()
    assert_accessible(page)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review", exact=True)).to_be_visible()

    # Before signing off, the lead turns the suggestion for the poor answer into an action.
    page.get_by_role("link", name="Action plan").click()
    page.get_by_text("Suggested actions (1)").click()  # a details component below the plan
    assert_accessible(page)
    page.get_by_role("link", name="Add an action for BB-02").click()
    expect(page.get_by_role("heading", name="Add an action for BB-02")).to_be_visible()
    expect(page.get_by_label("What will be done")).to_have_value(SUGGESTED)
    fill_date(page, "Due date", "31", "12", "2025")
    assert_accessible(page)
    page.get_by_role("button", name="Save action").click()
    expect(page.get_by_text("Action added to the plan")).to_be_visible()
    action = Action.objects.get()
    assert (action.description, action.question_codes) == (SUGGESTED, ["BB-02"])

    # Sign off: the lead records the board's approval; the cycle is locked for everyone.
    page.goto(home)
    page.get_by_role("link", name="Sign-off", exact=True).click()
    assert_accessible(page)
    record_board_approval(page)
    expect(page.get_by_role("heading", name="Self-assessment signed off")).to_be_visible()
    assert Assessment.objects.get().status == Status.SIGNED_OFF

    police.goto(home)
    police.get_by_role("link", name="1. Theme AA").click()
    expect(police.get_by_text("This self-assessment is signed off and locked.")).to_be_visible()
    expect(police.locator("#theme-form")).to_have_count(0)

    # Reopen with a reason (an error first), then submit and sign off again.
    page.get_by_role("link", name="Reopen").click()
    page.get_by_role("button", name="Reopen self-assessment").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why the self-assessment is being reopened"
    )
    assert_accessible(page)
    page.get_by_label("Why are you reopening it?").fill(
        "The board asked for the police figures to be checked"
    )
    page.get_by_role("button", name="Reopen self-assessment").click()
    expect(page.get_by_text("Reopened. The signed-off version is kept")).to_be_visible()
    page.get_by_role("link", name="Activity").click()
    expect(page.get_by_text("The board asked for the police figures to be checked")).to_be_visible()
    assert_accessible(page)
    page.goto(home)
    page.get_by_role("link", name="Check answers and submit").click()
    page.get_by_role("button", name="Submit for review").click()
    page.get_by_role("link", name="Sign-off", exact=True).click()
    record_board_approval(page)
    expect(page.get_by_role("heading", name="Self-assessment signed off")).to_be_visible()
    first = Assessment.objects.get()
    assert first.status == Status.SIGNED_OFF
    assert first.latest_snapshot is not None
    sha256 = first.latest_snapshot.sha256

    # The results of the signed-off cycle, frozen, with the poor answer in theme BB.
    page.goto(home)
    page.get_by_role("link", name="Results", exact=True).click()
    expect(page.get_by_role("heading", name="Results: Self-assessment 2025")).to_be_visible()
    expect(
        page.get_by_text("These results were frozen when the self-assessment was signed off")
    ).to_be_visible()
    expect(page.locator("img.app-chart").first).to_have_attribute(
        "alt", "Bar chart of the score of each theme: 1. Theme AA 50%; 2. Theme BB 33%"
    )
    assert_accessible(page)

    # The review report: a real worker renders the stored PDF of the signed-off snapshot while
    # the page waits for it, refreshing itself.
    page.get_by_role("link", name="Download the review report (PDF)").click()
    expect(page.get_by_role("heading", name="Your report is being prepared")).to_be_visible()
    assert_accessible(page)
    run_worker_until_idle()
    expect(page.get_by_role("heading", name="Your report is ready")).to_be_visible(timeout=15_000)
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the review report (PDF)").click()
    assert download.value.suggested_filename == "self-assessment-2025-report.pdf"
    body = download.value.path().read_bytes()
    assert body.startswith(b"%PDF")
    _, text = read_pdf(body)
    words = " ".join(text.split())
    assert PARTNERSHIP in words
    assert SUGGESTED in words
    assert sha256 in text.replace("\n", "")

    # The next cycle starts from the signed-off one: answers to confirm, the open action moved on.
    page.get_by_role("link", name="Overview").click()
    page.get_by_role("button", name="Start a self-assessment").click()
    fill_cycle(page, "Self-assessment 2026", 2025)
    page.get_by_label("Carry over from Self-assessment 2025").check()
    page.get_by_role("button", name="Start self-assessment").click()
    expect(page.get_by_role("heading", name="Self-assessment 2026")).to_be_visible()
    expect(page.get_by_text("carried over from Self-assessment 2025")).to_be_visible()
    expect(page.get_by_text("Needs confirming")).to_have_count(2)
    next_home = page.url

    page.get_by_role("link", name="Action plan").click()
    row = page.get_by_role("row").filter(has_text=SUGGESTED)
    expect(row).to_contain_text("Not started")
    expect(page.get_by_text("1 of 1 action")).to_be_visible()
    expect(page.get_by_role("heading", name="Suggested actions")).to_have_count(0)

    page.goto(next_home)
    page.get_by_role("link", name="1. Theme AA").click()
    expect(page.get_by_text("Carried over \N{EN DASH} confirm or change").first).to_be_visible()
    assert_accessible(page)
    # The confirmation comes after the answers, and is saved with them.
    page.get_by_label("I have checked these 3 carried-over answers are still true").check()
    if javascript:
        expect(page.locator("#autosave-status")).to_contain_text("3 carried-over answers confirmed")
    else:
        page.get_by_role("button", name="Save as draft").click()
        expect(page.get_by_text("3 carried-over answers confirmed")).to_be_visible()

    # Health has done what the action asked: BB-02 is now good, and the comparison shows it.
    health.goto(next_home)
    health.get_by_role("link", name="2. Theme BB").click()
    answer(health, "BB-02", "Good answer", "Safeguarding team records since June 2025")
    save(health, javascript=javascript)

    page.goto(next_home)
    page.get_by_role("link", name="Compared with another cycle").click()
    expect(page.get_by_role("heading", name="Compared with another cycle")).to_be_visible()
    expect(
        page.get_by_text("From Self-assessment 2025 to Self-assessment 2026 (current draft).")
    ).to_be_visible()
    expect(page.get_by_text("1 question improved")).to_be_visible()
    expect(
        page.get_by_text("Of the 1 question with an action in the plan, 1 improved.")
    ).to_be_visible()
    bb02 = page.get_by_role("row").filter(has_text="BB-02")
    expect(bb02).to_contain_text("Improved")
    expect(bb02.get_by_role("cell").last).to_have_text("Yes")
    assert_accessible(page)
