"""The shared world of the tests.

Alice leads partnership A (England), Bob is a viewer (read-only) in A, and Charlie leads
partnership B (Wales) and belongs to nothing else: every access test reads as one line against
these three people.
"""

import copy
from datetime import date

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings

import tests.properties  # noqa: F401  (loads the Hypothesis profile: ci or dev)
from assessment.models import (
    Action,
    Agency,
    Challenge,
    EvidenceItem,
    EvidenceKind,
    Membership,
    Milestone,
    Nation,
    PublishedResponse,
    RecommendationResponse,
    Role,
)
from tests.factories import (
    make_assessment,
    make_framework,
    make_invitation,
    make_member,
    make_partnership,
    make_recommendation_set,
    make_user,
    share_theme,
)


@pytest.fixture(scope="session")
def django_db_use_migrations(request) -> bool:
    """On SQLite (`make test`) each worker's test database is made from the models, in about a
    second; running the 70 migrations took each worker 5 to 8 s. On PostgreSQL (production, and
    the second run in `.ci/run`) the test database is made by the migrations, so they are run by
    every CI run, and test_no_migrations_are_missing keeps the models and migrations in step.
    Our one data migration (0006) only rewrites rows, which an empty database does not have.
    ``--no-migrations`` still skips them on PostgreSQL too."""
    from django.db import connection

    return connection.vendor != "sqlite" and not request.config.getvalue("nomigrations")


@pytest.fixture(autouse=True)
def _clean_cache(request):
    # Login throttling and rate limits live in the cache (the database by default); each test
    # that touches the database starts with an empty one.
    fixtures = set(request.fixturenames)
    if (
        request.node.get_closest_marker("django_db")
        or {"db", "transactional_db", "live_server"} & fixtures
    ):
        request.getfixturevalue("transactional_db" if "live_server" in fixtures else "db")
        cache.clear()
    yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is slow on purpose; the tests create hundreds of people. test_accounts checks
    # that real accounts use Argon2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def media(settings, tmp_path):
    """Rendered reports go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def immediate_tasks(settings):
    """Tasks run inside the call that enqueues them (tests/worker.py runs a real worker)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def partnership_a(db):
    return make_partnership("Northdale Safeguarding Partnership", Nation.ENGLAND)


@pytest.fixture
def partnership_b(db):
    return make_partnership("Glanmor Regional Board", Nation.WALES)


@pytest.fixture
def alice(partnership_a):
    user = make_user("alice@example.org", "Alice Lead")
    make_member(partnership_a, user, Role.LEAD, Agency.CHILDRENS_SOCIAL_CARE)
    return user


@pytest.fixture
def bob(partnership_a):
    user = make_user("bob@example.org", "Bob Viewer")
    make_member(partnership_a, user, Role.VIEWER, Agency.OTHER)
    return user


@pytest.fixture
def charlie(partnership_b):
    user = make_user("charlie@example.org", "Charlie Outsider")
    make_member(partnership_b, user, Role.LEAD, Agency.POLICE)
    return user


# The tenancy world of every URL: two partnerships, each with its objects, and a person in
# every role of the first ("own"). Used by test_tenancy and test_security.
@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world()


@pytest.fixture(scope="module")
def _world_of_the_module(django_db_setup, django_db_blocker, tmp_path_factory):
    """``world`` built once per module inside a transaction that is rolled back at the end of the
    module, as Django's ``TestCase.setUpTestData`` does for a class. Each test runs in a
    savepoint of it (``db``), so what a test changes is undone before the next one."""
    media = tmp_path_factory.mktemp("world-media")
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(MEDIA_ROOT=media):
                built = build_world()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield built, media
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def shared_world(_world_of_the_module, db, settings):
    """The same objects as ``world``, built once per module (much faster for the hundreds of
    access tests). For modules whose tests need no other data that would clash with it and use
    no ``transactional_db``: a module overrides ``world`` with this fixture. Each test gets its
    own copies of the objects, as ``setUpTestData`` gives."""
    built, media = _world_of_the_module
    settings.MEDIA_ROOT = media
    return copy.deepcopy(built)


def build_world() -> tuple[dict, dict]:
    """Two partnerships, each with every kind of object a URL names, and the "own" people."""
    framework = make_framework()
    recommendations = list(make_recommendation_set().recommendations.order_by("order"))
    worlds = {}
    for key, name in (
        ("own", "Northdale Safeguarding Partnership"),
        ("other", "Glanmor Regional Board"),
    ):
        partnership = make_partnership(name)
        lead = make_user(f"lead@{key}.example", f"{key} lead")
        make_member(partnership, lead, Role.LEAD, Agency.CHILDRENS_SOCIAL_CARE)
        member = make_member(
            partnership, make_user(f"member@{key}.example"), Role.VIEWER, Agency.HEALTH
        )
        invitation, _ = make_invitation(partnership, f"invitee@{key}.example")
        assessment = make_assessment(partnership, framework, title=f"{name} cycle")
        share_theme(assessment, "BB", ["police", "health"])  # a theme with agency views
        action = Action.objects.create(
            assessment=assessment,
            agency=Agency.POLICE,
            description=f"{name} action",
            due=date(2025, 12, 31),
        )
        challenge = Challenge.objects.create(assessment=assessment, text=f"{name} challenge")
        entry = RecommendationResponse.objects.create(
            partnership=partnership,
            recommendation=recommendations[0],
            lead_agency=Agency.POLICE,
            response=f"{name} response",
        )
        milestone = Milestone.objects.create(
            response=entry, due=date(2026, 6, 30), text=f"{name} milestone"
        )
        published = PublishedResponse(
            partnership=partnership,
            version=1,
            approved_on=date(2026, 1, 31),
            schema_version=1,
            data={
                "partnership": {"name": name, "area": "area"},
                "approved_on": "2026-01-31",
                "published_at": "2026-02-01T10:00:00+00:00",
                "show_names": False,
                "entries": [],
            },
            sha256="0" * 64,
        )
        published.file.save(f"{key}.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
        item = EvidenceItem(
            partnership=partnership,
            title=f"{name} problem profile",
            kind=EvidenceKind.PROBLEM_PROFILE,
            agency=Agency.POLICE,
            produced=date(2025, 3, 1),
            file_name="profile.pdf",
            content_type="application/pdf",
            sha256="0" * 64,
        )
        item.file.save("profile.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
        worlds[key] = {
            "evidence": item,
            "action": action,
            "challenge": challenge,
            "entry": entry,
            "milestone": milestone,
            "recommendation": recommendations[1],
            "partnership": partnership,
            "member": member,
            "invitation": invitation,
            "assessment": assessment,
        }
    people = {
        Role.LEAD: Membership.objects.get(
            partnership=worlds["own"]["partnership"], role=Role.LEAD
        ).user
    }
    for role in (Role.CONTRIBUTOR, Role.SCRUTINEER, Role.VIEWER):
        user = make_user(f"{role}@own.example", f"Own {role}")
        make_member(worlds["own"]["partnership"], user, role, Agency.POLICE)
        people[role] = user
    return worlds, people
