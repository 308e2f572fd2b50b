"""The shared world of the tests.

Alice leads partnership A (England), Bob is a viewer (read-only) in A, and Charlie leads
partnership B (Wales) and belongs to nothing else: every access test reads as one line against
these three people.
"""

import pytest
from django.core.cache import cache
from hypothesis import settings as hypothesis_settings

from assessment.models import Agency, Nation, Role
from tests.factories import make_member, make_partnership, make_user

# The same examples on every run and machine: a red build always means the same thing.
hypothesis_settings.register_profile("deterministic", derandomize=True, database=None)
hypothesis_settings.load_profile("deterministic")


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
