"""Deterministic helpers that make the objects tests need.

No randomness: a failing test fails the same way every time.
"""

import re

from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.test import Client

from assessment.models import (
    Agency,
    Assessment,
    Invitation,
    Membership,
    Nation,
    Partnership,
    Role,
    User,
)


def found(pattern: str, text: str, flags: int = 0) -> re.Match[str]:
    """``re.search`` that fails the test, naming the pattern, when nothing matches."""
    match = re.search(pattern, text, flags)
    assert match is not None, f"{pattern!r} is not in the text"
    return match


PASSWORD = "correct horse battery staple"


def make_user(email: str, name: str = "", password: str = PASSWORD, **fields) -> User:
    return User.objects.create_user(email=email, password=password, name=name, **fields)


def make_partnership(
    name: str = "Partnership A", nation: str = Nation.ENGLAND, **fields
) -> Partnership:
    return Partnership.objects.create(
        name=name, nation=nation, area=fields.pop("area", f"{name} area"), **fields
    )


def make_member(
    partnership: Partnership, user: User, role: str = Role.CONTRIBUTOR, agency: str = Agency.POLICE
) -> Membership:
    return Membership.objects.create(partnership=partnership, user=user, role=role, agency=agency)


def make_contributor(
    partnership: Partnership, agency: str = Agency.POLICE, email: str = "dana@example.org"
) -> User:
    user = make_user(email, "Dana Contributor")
    make_member(partnership, user, Role.CONTRIBUTOR, agency)
    return user


def make_invitation(
    partnership: Partnership,
    email: str = "dana@example.org",
    role: str = Role.CONTRIBUTOR,
    agency: str = Agency.HEALTH,
    invited_by: User | None = None,
) -> tuple[Invitation, str]:
    return Invitation.create(
        partnership=partnership, email=email, role=role, agency=agency, invited_by=invited_by
    )


def framework_data(
    themes: int = 2, questions_per_theme: int = 2, version: str = "1.0", format: int = 1
) -> dict:
    """A small valid question bank, as the YAML loader would parse it.

    ``format=2`` gives the 2022.2 rules' version: each critical question says why it is critical,
    thresholds say where they come from, and benchmarks what they cover."""
    ref = {"section": "Annex 4", "paragraph": 3}
    levels = ["poor", "developing", "established", "good"]
    data: dict = {
        "slug": "test-framework",
        "version": version,
        "title": "Test framework",
        "source": "Made up for the tests",
        "sections": [
            {"section": "Annex 4", "first": 1, "last": 89},
            {"section": "F.6", "first": 39, "last": 47},
        ],
        "themes": [],
        "practice_examples": [],
        "glossary": [{"term": "Network", "definition": "Two or more people.", "references": [ref]}],
    }
    codes = ["AA", "BB", "CC", "DD", "EE", "FF", "GG", "HH", "II"]
    for t in range(themes):
        code = codes[t]
        questions = []
        for q in range(questions_per_theme):
            questions.append(
                {
                    "code": f"{code}-{q + 1:02d}",
                    "text": f"Question {q + 1} of theme {code}?",
                    "guidance": "Good looks like this.",
                    "kind": "single",
                    "weight": 1 + q % 3,
                    "critical": q == 0,
                    "agencies": ["police"],
                    "nations": ["england", "wales"],
                    "references": [ref],
                    "options": [
                        {
                            "label": f"{level.title()} answer",
                            "level": level,
                            "descriptor": f"Like {level}.",
                            "references": [ref],
                        }
                        for level in levels
                    ],
                }
            )
        data["themes"].append(
            {
                "code": code,
                "title": f"Theme {code}",
                "report_part": "H",
                "summary": "A theme.",
                "questions": questions,
            }
        )
    data["themes"][0]["questions"].append(
        {
            "code": f"{codes[0]}-{questions_per_theme + 1:02d}",
            "text": "What share of suspects had no recorded ethnicity?",
            "guidance": "Record it.",
            "kind": "indicator",
            "agencies": ["police"],
            "nations": ["england"],
            "references": [{"section": "Annex 4", "paragraph": 5}],
            "indicator": {
                "numerator": "Suspects without ethnicity",
                "denominator": "All suspects",
                "unit": "percent",
            },
            "bands": {"direction": "lower", "good": 5, "established": 15, "developing": 30},
            "benchmarks": [
                {
                    "area": "Durham",
                    "value": 35,
                    "qualifier": None,
                    "unit": "percent",
                    "denominator": 1900,
                    "period": "2018/19",
                    "direction": "lower",
                    "reference": {"section": "Annex 4", "paragraph": 5},
                }
            ],
        }
    )
    if format == 2:
        _to_format_2(data)
    data["practice_examples"].append(
        {
            "area": "Durham",
            "kind": "poor",
            "theme": codes[0],
            "summary": "Three months of data.",
            "reference": ref,
            "questions": [f"{codes[0]}-01"],
        }
    )
    return data


def _to_format_2(data: dict) -> None:
    data["format"] = 2
    for theme in data["themes"]:
        for question in theme["questions"]:
            if question.get("critical"):
                question["critical_because"] = {
                    "basis": "unacceptable",
                    "text": "The Inquiry called this wholly unacceptable.",
                    "references": [{"section": "Annex 4", "paragraph": 8}],
                }
            if question.get("bands"):
                question["bands"]["basis"] = {"set_by_framework": "A starting point."}
            for benchmark in question.get("benchmarks") or []:
                benchmark.update(scope="police_force", base="cases", comparable=True)


def make_framework(
    themes: int = 2, questions_per_theme: int = 2, version: str = "1.0", format: int = 1
):
    from assessment.frameworks import load

    framework, _ = load(framework_data(themes, questions_per_theme, version, format))
    return framework


def make_assessment(
    partnership: Partnership, framework=None, title: str = "Self-assessment 2025", **fields
):
    from datetime import date

    from assessment.models import Assessment

    return Assessment.objects.create(
        partnership=partnership,
        framework=framework or make_framework(),
        title=title,
        period_start=fields.pop("period_start", date(2024, 4, 1)),
        period_end=fields.pop("period_end", date(2025, 3, 31)),
        **fields,
    )


def put_in_review(assessment) -> None:
    """As if submitted, for tests about review and sign-off, whatever is still unanswered
    (``workflow.submit`` refuses gaps; tests/test_workflow.py tests that)."""
    from django.utils import timezone

    from assessment.models import Status

    assessment.status = Status.IN_REVIEW
    # A new round of review, as submit starts one: approvals count only in their round.
    assessment.submitted_at = timezone.now()
    assessment.review_round += 1
    assessment.save()


def sign_off_as_is(assessment, user):
    """Submit (whatever is missing) and sign off: a baseline for the tests that need one."""
    from django.utils import timezone

    from assessment import snapshots
    from assessment.models import Status
    from assessment.results import compute, framework_questions

    if assessment.status == Status.SIGNED_OFF:
        return assessment.latest_snapshot
    # Straight to signed off, as sign_off does, without requiring every answer.
    questions = framework_questions(assessment.framework, assessment.partnership.nation)
    now = timezone.now()
    result = compute(assessment, questions, list(assessment.answers.all()), now.date())
    snapshot = snapshots.freeze(assessment, result=result, user=user, at=now)
    assessment.status, assessment.signed_off_at, assessment.signed_off_by = (
        Status.SIGNED_OFF,
        now,
        user,
    )
    assessment.save()
    return snapshot


def start_next_cycle(previous, user, title: str = "Next", framework=None):
    """The following year's cycle, started by ``user`` the way a lead does: ``previous`` is
    signed off first if it is still open (only a signed-off cycle is carried over), then its
    answers and open actions are carried over."""
    from datetime import date

    from assessment.workflow import start_assessment

    sign_off_as_is(previous, user)
    previous.refresh_from_db()
    return start_assessment(
        partnership=previous.partnership,
        framework=framework or previous.framework,
        title=title,
        period_start=date(2025, 4, 1),
        period_end=date(2026, 3, 31),
        created_by=user,
        carried_from=previous,
    )


def option_id(code: str, level: str, assessment=None) -> int:
    from assessment.models import Option

    options = Option.objects.filter(question__code=code, level=level)
    if assessment is not None:
        options = options.filter(question__theme__framework=assessment.framework)
    return options.values_list("pk", flat=True).get()


def theme_post(assessment, theme: str, answers: dict[str, dict], action: str = "draft") -> dict:
    """POST data for a theme page as a browser would send it: every question of the theme that
    applies to the partnership, with the version each answer had when the page was drawn."""
    from assessment.models import Answer, Question

    versions = dict(
        Answer.objects.filter(assessment=assessment).values_list("question__code", "version")
    )
    data = {action: "1"}
    for question in Question.objects.filter(
        theme__framework=assessment.framework, theme__code=theme
    ):
        if not question.applies_to(assessment.partnership.nation):
            continue
        code = question.code
        data[f"{code}-question_code"] = code
        data[f"{code}-version"] = str(versions.get(code, 0))
        for field, value in answers.get(code, {}).items():
            data[f"{code}-{field}"] = value
    return data


def good_answer(code: str, assessment=None, evidence: str = "Our 2024 audit of 30 cases.") -> dict:
    return {"option": str(option_id(code, "good", assessment)), "evidence": evidence}


def sign_off_by_board(assessment, user, meeting=None):
    """Sign off an assessment in review the way a partnership whose board met does: the lead
    records the board's approval (with reasons for any open challenges)."""
    from datetime import date

    from assessment.governance import open_challenges
    from assessment.signoff import record_board_approval

    return record_board_approval(
        assessment=assessment,
        user=user,
        meeting=meeting or date(2025, 6, 12),
        name=user.get_full_name(),
        role="Partnership business manager",
        left_open={str(c.code): "Carried into the next cycle" for c in open_challenges(assessment)},
    )


def complete_two_factor(client, user) -> None:
    """Sign ``user`` in on ``client`` as allauth does after a code from an authenticator app:
    a TOTP device, and this session's record of the code (what the access checks ask for)."""
    import time

    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
    from allauth.mfa.models import Authenticator

    device, _ = Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "JBSWY3DPEHPK3PXP"}}
    )
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "mfa", "type": "totp", "id": device.pk, "at": time.time()}
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def recommendation_set_data(version: str = "1.0") -> dict:
    """A small valid recommendation set about the test framework, as YAML would parse it."""
    from datetime import date

    return {
        "slug": "test-recommendations",
        "version": version,
        "title": "Test recommendations",
        "source": "Made up for the tests",
        "published": date(2022, 2, 1),
        "url": "https://example.org/recommendations",
        "framework": "test-framework",
        "recommendations": [
            {
                "number": "1",
                "title": "Profile every year",
                "summary": "Refresh the problem profile at least once a year.",
                "addressed_to": ["police_forces"],
                "local_action": True,
                "themes": ["AA"],
                "questions": ["AA-01"],
                "citation": "Test, recommendation 1",
            },
            {
                "number": "2",
                "title": "A national law",
                "summary": "Parliament should change the law.",
                "addressed_to": ["uk_government"],
                "local_action": False,
                "themes": [],
                "questions": [],
                "citation": "Test, recommendation 2",
            },
        ],
    }


def make_recommendation_set(version: str = "1.0"):
    from assessment.recommendation_sets import load

    loaded, _ = load(recommendation_set_data(version))
    return loaded


# The page that waits for each download (assessment/reports.py, DOCUMENTS).
PREPARE = {
    "report.pdf": "report",
    "board-pack.pdf": "board-pack",
    "export.json": "export",
    "answers.csv": "answers",
    "export.zip": "export-with-evidence",
}


def prepared(
    client: Client, assessment: Assessment, download: str
) -> tuple[HttpResponseBase, bytes]:
    """A download as a person gets it: the page that waits for it asks a worker (with the
    ``immediate_tasks`` fixture, the file is made there and then), then the download.
    Returns the response and its body."""
    client.get(f"/assessments/{assessment.code}/{PREPARE[download]}")
    response = client.get(f"/assessments/{assessment.code}/{download}")
    return response, body_of(response)


def body_of(response: HttpResponseBase) -> bytes:
    """A response's bytes, whether it was sent whole or streamed (a file)."""
    if isinstance(response, StreamingHttpResponse):
        return response.getvalue()
    assert isinstance(response, HttpResponse), type(response)
    return response.content
    if response.streaming:
        return response, b"".join(response.streaming_content)
    return response, response.content


def share_theme(assessment, theme: str = "AA", agencies=("police", "health")):
    """Give ``theme`` to several agencies: each then gives its own view (agency_views)."""
    from assessment.models import Theme

    assessment.assign(
        {Theme.objects.get(framework=assessment.framework, code=theme): list(agencies)}
    )


def view_values(assessment, code: str, level_or_figures, evidence: str = "Our 2024 audit.") -> dict:
    """An agency view's values: a level for a choice question, (numerator, denominator) for
    an indicator."""
    from datetime import date

    from assessment.workflow import values_of

    values = values_of(None) | {"evidence": evidence}
    if isinstance(level_or_figures, tuple):
        values["numerator"], values["denominator"] = level_or_figures
        values["period_start"], values["period_end"] = date(2024, 4, 1), date(2025, 3, 31)
    else:
        values["selected"] = [option_id(code, level_or_figures, assessment)]
    return values


def give_view(assessment, user, agency: str, answers: dict, *, submit: bool = True) -> None:
    """``agency``'s view of the questions in ``answers`` ({code: level or (num, den)}), saved
    through the workflow as ``user`` (a member of that agency), and submitted for the theme."""
    from assessment.models import AgencyView, Question
    from assessment.moderation import submit_view
    from assessment.workflow import Change, save_answers

    changes = []
    for code, value in answers.items():
        question = Question.objects.get(theme__framework=assessment.framework, code=code)
        stored = AgencyView.objects.filter(
            assessment=assessment, question=question, agency=agency
        ).first()
        changes.append(
            Change(question, view_values(assessment, code, value), stored.version if stored else 0)
        )
    result = save_answers(
        assessment=assessment, changes=changes, user=user, agency=agency, agency_view=True
    )
    assert result.ok
    if submit:
        submit_view(
            assessment=assessment, theme=changes[0].question.theme, agency=agency, user=user
        )
