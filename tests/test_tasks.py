"""Background tasks: a real worker process renders what sign-off asks for."""

import pytest
from django_tasks_db.models import DBTaskResult

from assessment.models import StoredReport
from assessment.tasks import render_stored_report
from assessment.workflow import reopen
from tests.factories import make_assessment, put_in_review, sign_off_by_board
from tests.views.test_results import answer_all
from tests.worker import run_worker_until_idle

pytestmark = pytest.mark.usefixtures("media")


@pytest.fixture
def signed_off(alice, partnership_a):
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {"AA-01": "poor", "AA-02": "good", "BB-01": "established"})
    put_in_review(assessment)
    sign_off_by_board(assessment, alice)
    return assessment


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_renders_the_report_that_sign_off_enqueued(signed_off):
    waiting = DBTaskResult.objects.get()
    assert waiting.task_path == "assessment.tasks.render_stored_report"
    assert not StoredReport.objects.exists()  # nothing was rendered in the sign-off request

    run_worker_until_idle()

    result = render_stored_report.get_result(str(waiting.id))
    stored = StoredReport.objects.get(kind="report")
    assert result.status == "SUCCESSFUL" and result.return_value == stored.sha256
    assert stored.snapshot == signed_off.latest_snapshot
    assert stored.file.read().startswith(b"%PDF")


def test_sign_off_enqueues_the_report_only_once_it_is_committed(
    alice, partnership_a, django_capture_on_commit_callbacks
):
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {"AA-01": "good"})
    put_in_review(assessment)
    with django_capture_on_commit_callbacks() as callbacks:
        sign_off_by_board(assessment, alice)
    assert not DBTaskResult.objects.exists()  # a worker must not look for an uncommitted sign-off
    for callback in callbacks:
        callback()
    assert DBTaskResult.objects.get().args_kwargs == {"args": [str(assessment.code)], "kwargs": {}}


def test_the_task_renders_the_stored_report_once(
    immediate_tasks, alice, partnership_a, django_capture_on_commit_callbacks
):
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {"AA-01": "good"})
    put_in_review(assessment)
    with django_capture_on_commit_callbacks(execute=True):
        sign_off_by_board(assessment, alice)
    stored = StoredReport.objects.get(kind="report")
    assert render_stored_report.enqueue(str(assessment.code)).return_value == stored.sha256
    assert StoredReport.objects.count() == 2  # the review report and the board pack


def test_a_report_reopened_before_the_worker_ran_is_not_rendered(
    immediate_tasks, alice, signed_off
):
    reopen(assessment=signed_off, user=alice, reason="A late correction from the police")
    assert render_stored_report.enqueue(str(signed_off.code)).return_value is None
    assert not StoredReport.objects.exists()
