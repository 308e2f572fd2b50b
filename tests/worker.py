"""A real task worker process (``manage.py db_worker``) against the test database.

The test process and the worker must see the same database: on SQLite the tests use a file
(``TEST.NAME`` in settings, never memory), on PostgreSQL the ``test_…`` database; either way the
worker is pointed at whatever database the tests are connected to now. Tests that use it need
``transactional_db``, so that what they write is committed and visible to another process.
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """The URL of the database this process is connected to (during tests: the test one)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "TASKS_BACKEND": "database",
    }


def run_worker_until_idle(timeout: float = 180) -> subprocess.CompletedProcess:
    """Start a worker, let it run every task waiting in the queue, and wait for it to exit."""
    return subprocess.run(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--batch",
            "--no-reload",
            "--no-startup-delay",
            "--interval=0",
        ],
        cwd=ROOT,
        env=worker_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
