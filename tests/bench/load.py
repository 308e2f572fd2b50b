"""The load test: locust (tests/load/locustfile.py) against gunicorn on this PostgreSQL database."""

import json
import os
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test.utils import override_settings


def load_test(add, broken, codes: list[str], lead) -> None:
    """50 users for 60 s against gunicorn (2 workers) on this PostgreSQL database, with the
    production settings (DEBUG off, collected static files, Secure cookies), as behind a
    TLS-terminating proxy; tests/load/locustfile.py plays the proxy and the browsers."""
    import csv
    import http.client
    import shutil
    import socket
    import subprocess
    import sys
    import tempfile

    if connection.vendor != "postgresql" or not shutil.which(
        "locust", path=str(Path(sys.executable).parent)
    ):
        add("Load test (locust)", "not run", "", "needs PostgreSQL (DATABASE_URL) and locust")
        return
    bin_dir = Path(sys.executable).parent
    db = connection.settings_dict
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management.utils import get_random_secret_key

    # One signed-in session per simulated person, made here: fifty sign-ins from one address
    # in a few seconds would (rightly) be throttled, which is not what this measures. They are
    # signed with the server's secret key, as gunicorn's own sessions would be.
    secret_key = get_random_secret_key()
    sessions = []
    with override_settings(SECRET_KEY=secret_key):
        for _ in range(50):
            store = SessionStore()
            store[SESSION_KEY] = str(lead.pk)
            store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            store[HASH_SESSION_KEY] = lead.get_session_auth_hash()
            store.create()
            sessions.append(store.session_key)
    (work / "codes.json").write_text(json.dumps({"codes": codes, "sessions": sessions}))
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        # The production settings, unchanged: the proxy's X-Forwarded-Proto header (sent by
        # the locustfile) is what makes plain HTTP on loopback count as HTTPS.
        "DEBUG": "0",
        "PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(work / "static"),
        "CACHE_URL": "",
        "BENCH_CODES": str(work / "codes.json"),
    }
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if collected.returncode:
        broken.append(f"load test: collectstatic failed: {collected.stderr.strip()[-300:]}")
        return

    def ask(path: str, headers: dict) -> tuple[int, str, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            return response.status, response.getheader("Location", ""), response.read()
        finally:
            conn.close()

    server = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            "assessment.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=settings.BASE_DIR,
        env=env,
    )
    try:
        for _ in range(60):
            try:
                plain = ask("/", {})
                break
            except OSError:  # refused until gunicorn listens
                time.sleep(0.5)
        else:
            broken.append("load test: gunicorn did not start")
            return
        # Production settings, or the figures mean nothing: plain HTTP is sent to https, and
        # a missing page is the service's own 404, not Django's technical page.
        missing = ask("/bench-no-such-page/", {"X-Forwarded-Proto": "https"})
        if plain[:2] != (301, f"https://127.0.0.1:{port}/") or (
            missing[0] != 404 or b"Using the URLconf" in missing[2]
        ):
            broken.append(
                f"load test: gunicorn is not running with the production settings "
                f"(/ over http: {plain[:2]}; a missing page: {missing[0]})"
            )
            return
        subprocess.run(
            [
                str(bin_dir / "locust"),
                "-f",
                "tests/load/locustfile.py",
                "--headless",
                "-u",
                "50",
                "-r",
                "10",
                "-t",
                "60s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(work / "load"),
                "--only-summary",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            check=False,
            capture_output=True,
            timeout=180,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work / "static", ignore_errors=True)
        # gunicorn kept its connections (CONN_MAX_AGE); the test database is dropped next.
        with connection.cursor() as cursor:
            for _ in range(20):
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                if not cursor.fetchone()[0]:
                    break
                time.sleep(0.5)
    with open(work / "load_stats.csv", newline="") as stats:
        total = next(row for row in csv.DictReader(stats) if row["Name"] == "Aggregated")
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    p50, p95 = total["50%"], total["95%"]
    add(
        "Load test: 50 users, 60 s, gunicorn x2, PostgreSQL, DEBUG off",
        f"{requests} requests, {failures} errors",
        "",
        f"p50 {p50} ms, p95 {p95} ms; no errors",
        failures == 0,
    )
    if failures:
        with open(work / "load_failures.csv", newline="") as errors:
            reasons = [
                f"{row['Name']}: {row['Error']} x{row['Occurrences']}"
                for row in csv.DictReader(errors)
            ]
        broken.append(f"load test: {failures} failed requests ({'; '.join(reasons[:3])})")
    # An exception in the locustfile (a page that changed shape) is not a failed request.
    with open(work / "load_exceptions.csv", newline="") as raised:
        exceptions = [f"{row['Message']} x{row['Count']}" for row in csv.DictReader(raised)]
    if exceptions:
        broken.append(f"load test: the locustfile raised {'; '.join(exceptions[:3])}")
