"""The board pack: the summary and a page per theme, beside the full review report."""

import json
from datetime import date

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessment import pdf, reports
from assessment.frameworks import load
from assessment.frameworks import read as read_bank
from assessment.models import Action, ActionNote, Comment, DraftReport, Question, StoredReport
from assessment.workflow import Change, save_answers, values_of
from tests.bench.data import answer_all as answer_everything
from tests.factories import make_assessment, prepared, put_in_review, sign_off_by_board
from tests.test_pdf import read
from tests.test_question_bank import BANK_2022_2
from tests.views.test_results import answer_all
from tests.worker import run_worker_until_idle

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def full(alice, partnership_a):
    """Every question of the 2022.2 framework answered, a critical one poorly, with three
    comments and an action on every question."""
    framework, _ = load(read_bank(BANK_2022_2))
    assessment = make_assessment(partnership_a, framework)
    questions = [
        q
        for q in Question.objects.filter(theme__framework=framework).prefetch_related("options")
        if q.applies_to(partnership_a.nation)
    ]
    critical = next(q for q in questions if q.critical and q.kind in ("single", "yes_no"))
    answer_everything(
        assessment,
        [q for q in questions if q != critical],
        alice,
        step=0,
        cycle=1,
        now=timezone.now(),
    )
    poor = next(o for o in critical.options.all() if o.level == "poor")
    values = values_of(None) | {"selected": [poor.pk], "evidence": "Our 2024 audit"}
    assert save_answers(
        assessment=assessment, changes=[Change(critical, values, 0)], user=alice, agency="police"
    ).ok
    for q in questions:
        Comment.objects.bulk_create(
            Comment(
                assessment=assessment, theme=q.theme, question=q, author=alice, text=f"Note {i}"
            )
            for i in range(3)
        )
        Action.objects.create(
            assessment=assessment,
            agency="police",
            owner=alice,
            description=f"Refresh the evidence behind {q.code}",
            due=date(2030, 9, 1),
            question_codes=[q.code],
        )
    return assessment, critical


def test_the_board_pack_of_a_full_framework_fits_twelve_pages_with_every_theme(full):
    assessment, critical = full
    body, pages = pdf.html_to_pdf(pdf.render_board_html(assessment))
    reader, text = read(body)
    flat = " ".join(text.split())
    assert pages == len(reader.pages) <= 12
    assert "Northdale Safeguarding Partnership" in flat and "board pack" in flat
    context = pdf.board_context(assessment)
    assert len(context["board_themes"]) == 9
    for theme in context["board_themes"]:
        percentage = theme.item["result"].percentage
        assert f"{theme.item['theme'].order}. {theme.item['theme'].title}" in flat
        assert f"Score: {percentage:.0f}%" in flat
    assert f"{critical.code} {' '.join(critical.text.split())[:40]}" in flat  # a critical finding
    assert f"Refresh the evidence behind {critical.code}" in flat  # beside its theme
    assert "Note 1" not in flat  # comments are for the full record
    assert "How the scores are worked out" in flat and "Recommendations register" in flat


def test_a_theme_page_names_what_it_leaves_to_the_full_report(alice, partnership_a):
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {"AA-01": "poor", "AA-02": "developing", "BB-01": "good"})
    for i in range(pdf.BOARD_LIST + 2):
        Action.objects.create(
            assessment=assessment,
            agency="police",
            description=f"Action number {i}",
            due=date(2030, 1, 1 + i),
            question_codes=["AA-01"],
        )
    flat = " ".join(read(pdf.html_to_pdf(pdf.render_board_html(assessment))[0])[1].split())
    assert "Action number 0" in flat and f"Action number {pdf.BOARD_LIST + 1}" not in flat
    assert "And 2 more in the action plan of the review report." in flat
    assert "Critical findings (1)" in flat and "AA-01" in flat


def test_the_signed_off_board_pack_is_stored_at_sign_off_and_served_unchanged(
    client, immediate_tasks, alice, partnership_a, django_capture_on_commit_callbacks
):
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {"AA-01": "poor", "AA-02": "good", "BB-01": "established"})
    action = Action.objects.create(
        assessment=assessment, agency="police", description="Audit the flags", due=date(2030, 1, 1),
        question_codes=["AA-01"],
    )  # fmt: skip
    put_in_review(assessment)
    with django_capture_on_commit_callbacks(execute=True):
        snapshot = sign_off_by_board(assessment, alice)
    stored = StoredReport.objects.get(snapshot=snapshot, kind="board")
    client.force_login(alice)
    first, body = prepared(client, assessment, "board-pack.pdf")
    assert first["X-Record-Check"] == "unchanged" and first["X-Content-SHA256"] == stored.sha256
    assert first["Content-Disposition"].endswith('board-pack.pdf"')
    # Actions live on after sign-off; and a comment written behind the lock's back.
    ActionNote.objects.create(action=action, kind="comment", author=alice, text="Later note")
    comment_theme = Question.objects.get(code="AA-01", theme__framework=assessment.framework).theme
    Comment._base_manager.bulk_create(
        [Comment(assessment=assessment, theme=comment_theme, author=alice, text="Added later")]
    )
    _, later = prepared(client, assessment, "board-pack.pdf")
    assert later == body and StoredReport.objects.filter(kind="board").count() == 1
    flat = " ".join(read(later)[1].split())
    assert "Added later" not in flat and snapshot.sha256 in flat.replace(" ", "")
    assert "Audit the flags" in flat and "Draft" not in flat


def test_a_changed_board_pack_file_is_refused(client, alice, partnership_a):
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {"AA-01": "good"})
    put_in_review(assessment)
    sign_off_by_board(assessment, alice)
    stored = pdf.render_signed_report(assessment.pk, "board")
    with open(stored.file.path, "ab") as handle:
        handle.write(b"%% appended")
    client.force_login(alice)
    response = client.get(f"/assessments/{assessment.code}/board-pack.pdf")
    assert response.status_code == 409 and b"board pack" in response.content


def test_a_draft_board_pack_is_prepared_once_per_state(
    client, immediate_tasks, alice, bob, partnership_a
):
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {"AA-01": "poor", "AA-02": "good", "BB-01": "established"})
    client.force_login(bob)  # a viewer may have it too
    assert client.get(f"/assessments/{assessment.code}/board-pack.pdf")["Location"] == (
        f"/assessments/{assessment.code}/board-pack"
    )
    client.get(f"/assessments/{assessment.code}/board-pack")  # asks (here: renders at once)
    page = client.get(f"/assessments/{assessment.code}/board-pack")
    assert b"Your board pack is ready" in page.content
    assert b"Download the board pack (PDF)" in page.content
    response, body = prepared(client, assessment, "board-pack.pdf")
    assert "draft-" in response["Content-Disposition"]
    assert prepared(client, assessment, "board-pack.pdf")[1] == body
    assert DraftReport.objects.filter(kind="board").count() == 1
    assert "Draft" in read(body)[1]


def test_the_results_page_links_both_documents(client, alice, partnership_a):
    assessment = make_assessment(partnership_a)
    client.force_login(alice)
    page = client.get(f"/assessments/{assessment.code}/results").content.decode()
    assert f"/assessments/{assessment.code}/board-pack.pdf" in page
    assert f"/assessments/{assessment.code}/report.pdf" in page


# The exports: made by a worker once per state, behind the same page ---------------------------


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_prepares_the_json_export_and_only_members_get_it(
    client, alice, charlie, partnership_a
):
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {"AA-01": "poor", "AA-02": "good", "BB-01": "established"})
    client.force_login(alice)
    download = f"/assessments/{assessment.code}/export.json"
    assert client.get(download)["Location"] == f"/assessments/{assessment.code}/export"
    waiting = client.get(f"/assessments/{assessment.code}/export")
    assert b"Your data file is being prepared" in waiting.content
    assert b'<meta http-equiv="refresh"' in waiting.content  # works without JavaScript
    client.get(f"/assessments/{assessment.code}/export")
    task = DBTaskResult.objects.get()  # asked once, not once per refresh
    assert task.args_kwargs["args"] == [str(assessment.code), "json"]

    run_worker_until_idle()

    assert (
        b"Your data file is ready" in client.get(f"/assessments/{assessment.code}/export").content
    )
    response = client.get(download)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(b"".join(response.streaming_content))
    assert data["partnership"]["name"] == "Northdale Safeguarding Partnership"
    assert {a["question"] for a in data["answers"]} >= {"AA-01", "AA-02", "BB-01"}

    client.force_login(charlie)  # another partnership's member: the file exists, but not for them
    assert client.get(download).status_code == 404
    assert client.get(f"/assessments/{assessment.code}/export").status_code == 404


def test_an_export_is_made_once_per_state_and_again_after_a_change(
    client, immediate_tasks, alice, partnership_a
):
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {"AA-01": "poor"})
    client.force_login(alice)
    first = prepared(client, assessment, "answers.csv")[1]
    assert prepared(client, assessment, "answers.csv")[1] == first
    assert DraftReport.objects.filter(kind="csv").count() == 1
    answer_all(assessment, alice, {"AA-01": "good"})
    assert client.get(f"/assessments/{assessment.code}/answers.csv").status_code == 302
    second = prepared(client, assessment, "answers.csv")[1]
    assert second != first and "Good answer" in second.decode()
    assert DraftReport.objects.filter(kind="csv").count() == 1  # the old state's file is gone


def test_a_note_on_an_action_is_a_new_state_of_the_json_export(alice, partnership_a):
    assessment = make_assessment(partnership_a)
    action = Action.objects.create(
        assessment=assessment, agency="police", description="Audit", due=date(2030, 1, 1)
    )
    before = reports.fingerprint(assessment, "json")
    assert reports.fingerprint(assessment, "report") != before  # each file has its own state
    ActionNote.objects.create(action=action, kind="progress", author=alice, text="Started")
    assert reports.fingerprint(assessment, "json") != before


def test_the_render_command_writes_the_board_pack(alice, partnership_a, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {"AA-01": "good"})
    out, target = StringIO(), tmp_path / "pack.pdf"
    call_command(
        "render_report", str(assessment.code), "-o", str(target), "--board-pack", stdout=out
    )
    assert "board pack" in read(target.read_bytes())[1] and "draft" in out.getvalue()


def test_a_new_challenge_or_approval_is_a_new_state_of_both_pdfs(alice, partnership_a):
    from assessment.models import Approval, Challenge

    assessment = make_assessment(partnership_a)
    before = {kind: reports.fingerprint(assessment, kind) for kind in reports.PDFS}
    challenge = Challenge.objects.create(assessment=assessment, raised_by=alice, text="Who?")
    raised = {kind: reports.fingerprint(assessment, kind) for kind in reports.PDFS}
    assert all(raised[kind] != before[kind] for kind in reports.PDFS)
    challenge.resolved_at, challenge.resolved_by = timezone.now(), alice
    challenge.save()
    assert reports.fingerprint(assessment, "board") != raised["board"]
    resolved = reports.fingerprint(assessment, "board")
    Approval.objects.create(assessment=assessment, round=1, user=alice, decision="approved")
    assert reports.fingerprint(assessment, "board") != resolved
