"""CSRF on every POST, security headers on every page, and hostile input that never breaks a page."""

import json

import pytest
from django.forms import MultiWidget
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment.models import Answer, Comment, Role
from tests.factories import make_assessment, prepared, theme_post
from tests.properties import examples
from tests.test_tenancy import EXPECTED, url_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(shared_world):
    """The tenancy world, built once for this module (see ``shared_world`` in conftest.py)."""
    return shared_world


POST_VIEWS = [
    *sorted(name for name, (method, _) in EXPECTED.items() if method == "post"),
    "invite", "change_member", "remove_member", "partnership_settings", "start_assessment", "assign_themes",
    "sign_off", "reopen", "theme", "new_action", "edit_action", "import_assessment",
    "respond_to_recommendation", "add_local_recommendation", "edit_register_entry", "publish_response",
]  # fmt: skip


@pytest.mark.parametrize("name", POST_VIEWS)
def test_every_post_needs_a_csrf_token(world, name):
    worlds, people = world
    client = Client(enforce_csrf_checks=True)
    client.force_login(people[Role.LEAD])
    response = client.post(url_for(name, worlds["own"]), {"anything": "x"})
    assert response.status_code == 403
    assert b"CSRF" in response.content


def test_sign_in_and_invitation_acceptance_need_a_csrf_token_too(db):
    client = Client(enforce_csrf_checks=True)
    assert (
        client.post("/accounts/login/", {"login": "a@example.org", "password": "x"}).status_code
        == 403
    )
    assert client.post("/invitations/whatever/", {"name": "x"}).status_code == 403


@pytest.mark.parametrize("name", sorted(n for n, (m, _) in EXPECTED.items() if m == "get"))
def test_every_page_sends_the_security_headers(world, name):
    worlds, people = world
    client = Client()
    client.force_login(people[Role.LEAD])
    response = client.get(url_for(name, worlds["own"]))
    csp = response["Content-Security-Policy"]
    # Only our own scripts and styles (a nonce is added only on pages that use one).
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path", ["/", "/accounts/login/", "/frameworks/", "/privacy", "/healthz", "/nope"]
)
def test_public_pages_send_the_security_headers_too(client, db, path):
    response = client.get(path)
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


HOSTILE = st.one_of(
    st.text(max_size=300),
    st.sampled_from([
        "<script>alert(1)</script>", "'; DROP TABLE assessment_answer; --", "\x00\x01\x02", "\u202e\u200b",
        "-1", "1e309", "NaN", "99999999999999999999", "" , " ", "../../etc/passwd", "{{ 7*7 }}", "=cmd|' /C calc'!A0",
        "\u00e9\u00df\u4e2d\u6587 \U0001f642", "a" * 20_000,
    ]),
)  # fmt: skip


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.dictionaries(st.sampled_from([
    "AA-01-option", "AA-01-evidence", "AA-01-not_applicable", "AA-01-not_applicable_reason", "AA-01-version",
    "AA-01-question_code", "AA-03-numerator", "AA-03-denominator", "AA-03-period_start_0", "AA-03-period_start_1",
    "AA-03-period_start_2", "AA-03-period_end_2", "AA-02-confirm_personal_data", "continue", "draft", "conflicts",
    "resolve-AA-01", "BB-01-option",
]), HOSTILE, max_size=12))  # fmt: skip
def test_hostile_theme_posts_never_break_a_page(
    client, immediate_tasks, media, alice, partnership_a, data
):
    assessment = partnership_a.assessments.first() or make_assessment(partnership_a)
    client.force_login(alice)
    base = theme_post(assessment, "AA", {})
    response = client.post(f"/assessments/{assessment.code}/themes/AA/", {**base, **data})
    assert response.status_code in (200, 302, 403)
    # The exports are made by a worker (here at once) when their page asks for them.
    for page in ("themes/AA/", "", "check", "results", "answers", "answers.csv", "export"):
        later = client.get(f"/assessments/{assessment.code}/{page}")
        assert later.status_code == 200, page
        if page in ("themes/AA/", "check") and "<script>alert(1)</script>" in json.dumps(data):
            assert b"<script>alert(1)</script>" not in later.content
    assert prepared(client, assessment, "export.json")[0].status_code == 200
    assert (
        client.post(
            f"/assessments/{assessment.code}/themes/AA/autosave", {**base, **data}
        ).status_code
        == 200
    )


@settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=HOSTILE, question=st.one_of(st.just("AA-01"), HOSTILE))
def test_hostile_comments_are_refused_or_stored_escaped(
    client, alice, partnership_a, text, question
):
    assessment = partnership_a.assessments.first() or make_assessment(partnership_a)
    client.force_login(alice)
    response = client.post(
        f"/assessments/{assessment.code}/themes/AA/comments",
        {"question": question, "text": text, "confirm_personal_data": "on"},
    )
    assert response.status_code in (302, 400, 403)
    page = client.get(f"/assessments/{assessment.code}/themes/AA/")
    assert page.status_code == 200
    assert b"<script>alert(1)</script>" not in page.content


@settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=st.one_of(
    st.binary(max_size=200),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20), lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3), max_leaves=20).map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"schema": st.just("partnership-self-assessment"), "schema_version": st.just(1),
                           "framework": st.just({"slug": "test-framework", "version": "1.0"}),
                           "assessment": st.dictionaries(st.sampled_from(["title", "period_start", "period_end"]), HOSTILE),
                           "answers": st.lists(st.dictionaries(st.sampled_from(["question", "selected", "numerator", "evidence"]), HOSTILE | st.integers() | st.lists(HOSTILE, max_size=2)), max_size=3)}).map(lambda v: json.dumps(v).encode()),
))  # fmt: skip
def test_hostile_imports_never_break_and_never_half_import(client, alice, partnership_a, body):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessment.models import Assessment

    make_assessment(partnership_a) if not partnership_a.assessments.exists() else None
    before = Assessment.objects.count(), Answer.objects.count()
    client.force_login(alice)
    response = client.post(
        f"/partnerships/{partnership_a.code}/assessments/import",
        {"file": SimpleUploadedFile("x.json", body or b" ")},
    )
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert (Assessment.objects.count(), Answer.objects.count()) == before


def test_payloads_are_escaped_in_every_page_that_shows_them(client, alice, partnership_a):
    assessment = make_assessment(partnership_a)
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    client.force_login(alice)
    client.post(
        f"/assessments/{assessment.code}/themes/AA/",
        theme_post(
            assessment,
            "AA",
            {
                "AA-02": {  # not critical: a critical question may not be marked N/A
                    "not_applicable": "on",
                    "not_applicable_reason": payload,
                    "confirm_personal_data": "on",
                }
            },
        ),
    )
    Comment.objects.create(
        assessment=assessment,
        theme=assessment.framework.themes.get(code="AA"),
        author=alice,
        text=payload,
    )
    assert Answer.objects.get().not_applicable_reason == payload
    for page in ("themes/AA/", "check", "results", "activity", "answers/AA-02/history"):
        html = client.get(f"/assessments/{assessment.code}/{page}").content.decode()
        assert "<script>alert(1)</script>" not in html and "<img src=x" not in html, page
    from assessment import pdf

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pdf.render_html(assessment)


def _form_field_names() -> list[str]:
    """Every field name any of our forms reads, with the day/month/year boxes of dates."""
    from assessment.forms import actions, assessments, partnerships  # noqa: F401 - registers forms

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    names = {
        "question",
        "conflicts",
        "continue",
        "draft",
        "theme_AA",
        "resolve-AA-01",
        "AA-01-option",
    }
    for form in subclasses(partnerships.GOVUKForm):
        for name, field in form.base_fields.items():
            names.add(name)
            if isinstance(field.widget, MultiWidget):
                names.update(f"{name}_{part}" for part in range(3))
    return sorted(names)


@pytest.mark.parametrize("name", POST_VIEWS)
def test_every_form_survives_hostile_input(world, name):
    """Random and hostile values, lists for repeated keys, missing fields, in the fields of every
    form of the product, sent to every POST endpoint as a lead: never a 500, and what was stored
    never breaks the pages that show it."""
    worlds, people = world
    client = Client()
    client.force_login(people[Role.LEAD])
    url = url_for(name, worlds["own"])

    @settings(
        max_examples=examples(12),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        data=st.dictionaries(
            st.sampled_from(_form_field_names()),
            st.one_of(HOSTILE, st.lists(HOSTILE, min_size=2, max_size=3)),
            max_size=8,
        )
    )
    def send(data):
        assert client.post(url, data).status_code < 500

    send()
    partnership = worlds["own"]["partnership"]
    partnership.refresh_from_db()
    for page in ("assessment_home", "action_plan", "members", "check_answers", "results"):
        response = client.get(url_for(page, worlds["own"]))
        if partnership.requires_two_factor:  # a random tick of the setting is a real change
            assert response["Location"] == "/accounts/2fa/", page
        else:
            assert response.status_code == 200, page
