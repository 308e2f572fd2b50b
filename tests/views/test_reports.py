"""The review report as a download: prepared by a worker, then served from storage."""

import pytest
from django_tasks_db.models import DBTaskResult

from assessment.models import DraftReport, StoredReport
from tests.factories import make_assessment, put_in_review, sign_off_by_board
from tests.test_pdf import read
from tests.views.test_results import answer_all
from tests.worker import run_worker_until_idle

pytestmark = pytest.mark.usefixtures("media")
REFRESH = b'<meta http-equiv="refresh"'


@pytest.fixture
def draft(alice, partnership_a):
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {"AA-01": "poor", "AA-02": "good", "BB-01": "established"})
    return assessment


def urls(assessment) -> tuple[str, str]:
    return f"/assessments/{assessment.code}/report", f"/assessments/{assessment.code}/report.pdf"


def test_the_waiting_page_checks_as_often_as_the_settings_say(client, bob, draft, settings):
    settings.REPORT_REFRESH_SECONDS = 1
    client.force_login(bob)
    waiting = client.get(urls(draft)[0]).content
    assert b'<meta http-equiv="refresh" content="1">' in waiting
    assert b'hx-trigger="every 1s"' in waiting and b"checks again every 1 second and" in waiting


@pytest.mark.django_db(transaction=True)
def test_a_worker_prepares_the_draft_while_the_page_refreshes_itself(client, bob, draft):
    page, download = urls(draft)
    client.force_login(bob)  # a viewer may have the report too

    response = client.get(download)
    assert response.status_code == 302 and response["Location"] == page
    waiting = client.get(page)
    assert b"Your report is being prepared" in waiting.content
    assert REFRESH in waiting.content  # reloads itself without JavaScript
    assert b'hx-trigger="every 5s"' in waiting.content  # and polls in place with it
    assert b"This page checks again every 5 seconds" in waiting.content
    client.get(page)
    assert DBTaskResult.objects.count() == 1  # asked once, not once per refresh

    run_worker_until_idle()

    ready = client.get(page)
    assert b"Your report is ready" in ready.content and REFRESH not in ready.content
    response = client.get(download)
    assert response["Content-Type"] == "application/pdf"
    assert "draft-" in response["Content-Disposition"]
    _, text = read(b"".join(response.streaming_content))
    assert "Draft" in text and "Northdale Safeguarding Partnership" in text


def test_a_draft_is_rendered_once_and_reused_until_something_changes(
    client, immediate_tasks, alice, draft
):
    page, download = urls(draft)
    client.force_login(alice)
    client.get(page)
    first = b"".join(client.get(download).streaming_content)
    client.get(page)
    assert b"".join(client.get(download).streaming_content) == first
    assert DraftReport.objects.count() == 1

    answer_all(draft, alice, {"AA-01": "good"})
    assert client.get(download).status_code == 302  # the old file shows an old state
    client.get(page)
    second = b"".join(client.get(download).streaming_content)
    assert second != first
    assert DraftReport.objects.count() == 1  # the old state's file is gone


def test_a_signed_off_report_is_the_stored_file_rendered_after_sign_off(
    client, immediate_tasks, alice, draft, django_capture_on_commit_callbacks
):
    put_in_review(draft)
    with django_capture_on_commit_callbacks(execute=True):
        snapshot = sign_off_by_board(draft, alice)
    page, download = urls(draft)
    client.force_login(alice)
    assert b"Your report is ready" in client.get(page).content
    first, second = client.get(download), client.get(download)
    body = b"".join(first.streaming_content)
    assert body == b"".join(second.streaming_content)
    assert first["Content-Disposition"] == 'attachment; filename="self-assessment-2025-report.pdf"'
    stored = StoredReport.objects.get(kind="report")
    assert stored.snapshot == snapshot and first["X-Content-SHA256"] == stored.sha256
    _, text = read(body)
    assert snapshot.sha256 in text.replace("\n", "") and "Draft" not in text


def test_a_failed_rendering_offers_to_try_again(client, alice, draft):
    from assessment import reports

    client.force_login(alice)
    page, _ = urls(draft)
    with pytest.raises(MemoryError), reports.recording_failure(draft):
        raise MemoryError  # what a worker records when the rendering fails
    response = client.get(page)
    assert b"Your report could not be prepared" in response.content
    assert REFRESH not in response.content
    assert client.post(page)["Location"] == page
    assert b"Your report is being prepared" in client.get(page).content
    assert DBTaskResult.objects.filter(task_path="assessment.tasks.render_draft_report").exists()


def test_a_draft_whose_file_is_gone_from_storage_is_rendered_again_not_a_500(
    client, immediate_tasks, alice, draft
):
    """Found by the benchmark's load test: a web server whose storage lacked the file a worker
    had rendered answered the download with a 500."""
    page, download = urls(draft)
    client.force_login(alice)
    client.get(page)
    lost = DraftReport.objects.get()
    lost.file.storage.delete(lost.file.name)

    assert client.get(download)["Location"] == page  # not ready any more: rendered again
    assert b"Your report is being prepared" in client.get(page).content  # a worker is asked
    assert b"Your report is ready" in client.get(page).content
    again = DraftReport.objects.get()
    assert again.pk != lost.pk and again.file.storage.exists(again.file.name)
    assert b"".join(client.get(download).streaming_content).startswith(b"%PDF")


def test_a_signed_off_report_missing_from_storage_is_a_changed_record_not_a_500(
    client, immediate_tasks, alice, draft, django_capture_on_commit_callbacks
):
    put_in_review(draft)
    with django_capture_on_commit_callbacks(execute=True):
        sign_off_by_board(draft, alice)
    stored = StoredReport.objects.get(kind="report")
    stored.file.storage.delete(stored.file.name)
    client.force_login(alice)
    response = client.get(urls(draft)[1])
    assert response.status_code == 409, response.status_code


@pytest.mark.django_db(transaction=True)
def test_a_draft_being_edited_asks_one_rendering_at_a_time(client, alice, bob, draft):
    """Found by the benchmark's realistic run: with colleagues autosaving, every refresh of the
    waiting page saw a new state and queued one more rendering, faster than a worker made them."""
    page, _ = urls(draft)
    client.force_login(bob)
    client.get(page)
    for level in ("good", "established", "poor"):
        answer_all(draft, alice, {"AA-01": level})  # someone else keeps typing
        assert b"Your report is being prepared" in client.get(page).content
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_report_rendered_after_asking_is_ready_though_others_edited_since(
    client, alice, bob, draft
):
    page, download = urls(draft)
    client.force_login(bob)
    client.get(page)
    run_worker_until_idle()
    answer_all(draft, alice, {"AA-01": "good"})  # changed again before bob looks

    ready = client.get(page)
    assert b"Your report is ready" in ready.content
    shown = DraftReport.objects.get()
    link = f"{download}?state={shown.fingerprint}"
    assert link.encode() in ready.content
    response = client.get(link)
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get(download)["Location"] == page  # the state of now has no report yet
    assert b"Your report is being prepared" in client.get(page).content  # asked afresh
