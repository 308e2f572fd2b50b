"""The shared world of the tests.

Alice leads partnership A, Bob is a read-only member (viewer) of A, and Charlie belongs to
partnership B only: every access test reads as one line against these three people.
"""

import pytest
from django.core.cache import cache

from tests.factories import make_user


@pytest.fixture(autouse=True)
def _clean_cache(request):
    # Login throttling and rate limits live in the cache (the database by default); each test
    # that touches the database starts with an empty one.
    uses_db = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if uses_db:
        request.getfixturevalue(
            "transactional_db" if "live_server" in request.fixturenames else "db"
        )
        cache.clear()
    yield


@pytest.fixture
def alice(db):
    return make_user("alice@example.org", "Alice Lead")


@pytest.fixture
def bob(db):
    return make_user("bob@example.org", "Bob Viewer")


@pytest.fixture
def charlie(db):
    return make_user("charlie@example.org", "Charlie Outsider")
