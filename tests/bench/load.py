"""Load and scale: gunicorn with the production settings on the bench's database, a real task
worker, a Redis cache, and locust (tests/load/locustfile.py) playing the people.

Three measurements, all bounded in count and time, all on the loopback:

- the realistic run: people at work (roles, think time, typing that autosaves, the report
  asked for and waited on), p50/p95/p99 and errors per page;
- the capacity run: the highest request rate the page mix sustains with p95 <= 500 ms, found by
  stepping a fixed number of users without think time, against our pages and against their bare
  views (tests/bench/baselines.py, served by the same gunicorn through tests/bench/settings.py);
- two instances: a second gunicorn on another port sharing the database, the Redis cache, the
  media folder and the worker; a session, the login throttle and a rendered report are shared.

Quick mode (CI) runs each of them in a reduced form, on whatever database the bench uses.
"""

import csv
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.test.utils import override_settings

BIN = Path(sys.executable).parent
P95_LIMIT_MS = 500  # the capacity run's bound
P99_GOAL_MS = 2000  # no request over 2 s at p99 in the realistic run
# Twice the cores this process may use, as the README advises, but at most 8: on a large machine
# the bench would otherwise start dozens of processes (each with Django and matplotlib loaded).
WEB_WORKERS = min(2 * len(os.sched_getaffinity(0)), 8)
PUBLIC_HOST = "127.0.0.1"  # the name the load balancer serves (ALLOWED_HOSTS)
Add = Callable[..., None]

# What docs/benchmarks.md says about the runs below (tests/bench/runner.py writes it).
LOAD_AND_SCALE = (
    "Load and scale (tests/bench/load.py): gunicorn with the production settings (DEBUG off, "
    "collected static files, Secure cookies, as behind a TLS-terminating proxy: locust sends the "
    "proxy's `X-Forwarded-Proto: https` header and the cookies itself), with twice as many "
    "workers as the machine has cores, at most 8 (as the README advises for production), a real task "
    "worker (`db_worker`), a Redis cache and one media folder, on the bench's database. The "
    "realistic run is teams of five (a lead, three contributors, a viewer) on their own "
    "assessment, thinking 5-20 s between actions, typing that autosaves, asking for the report "
    "and waiting on its page. The capacity run steps a fixed number of users without think time "
    "through the page mix (theme page 4, results 2, compare, trend, dashboard 1 each) until p95 "
    "passes 500 ms, against our pages and against their bare views served by the same gunicorn. "
    "The two-instance check starts a second gunicorn beside the first. `--quick` runs all three "
    "in a reduced form."
)


@dataclass
class Deployment:
    """What the bench started: its environment, the web servers' ports, the worker."""

    work: Path
    env: dict[str, str]
    ports: list[int] = field(default_factory=list)
    processes: list[subprocess.Popen] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_answers(port: int) -> bool:
    import redis

    try:
        return bool(redis.Redis(host="127.0.0.1", port=port, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@contextmanager
def redis_cache() -> Iterator[str | None]:
    """The Redis on 127.0.0.1:6379, or Debian's redis-server started on a port of its own (and
    stopped after) when none answers there; None when there is neither."""
    if redis_answers(6379):
        yield "redis://127.0.0.1:6379/0"
        return
    server = shutil.which("redis-server")
    if server is None:
        yield None
        return
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            if redis_answers(port):
                break
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def ask(
    port: int, method: str, path: str, cookies: dict[str, str], data: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPResponse, bytes]:
    """One request as the load balancer forwards it: https, and the public host name whichever
    instance it reaches (the login throttle is keyed by the site's host, as the CSRF check is);
    the cookies by hand, those it sets kept in ``cookies``. Returns the status, the response
    and its body."""
    headers = {"X-Forwarded-Proto": "https", "Host": PUBLIC_HOST}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = None
    if data is not None:
        body = urlencode(data)
        origin = f"https://{PUBLIC_HOST}"
        headers |= {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin,
            "Referer": origin + path,
        }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read()
    finally:
        conn.close()
    for header in response.msg.get_all("Set-Cookie") or []:
        for name, morsel in SimpleCookie(header).items():
            cookies[name] = morsel.value
    return response.status, response, content


def start_gunicorn(deployment: Deployment) -> int | None:
    """One more gunicorn on a port of its own; its port once it answers. Twice as many workers
    as cores, as the README advises: with fewer, a quick page waits behind a slow one even when
    a core is free (a request waiting on PostgreSQL holds its worker)."""
    port = free_port()
    deployment.processes.append(
        subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "assessment.wsgi",
                "--workers",
                str(WEB_WORKERS),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=settings.BASE_DIR,
            env=deployment.env,
        )
    )
    for _ in range(120):
        try:
            ask(port, "GET", "/healthz", {})
            deployment.ports.append(port)
            return port
        except OSError:  # refused until gunicorn listens
            time.sleep(0.5)
    return None


@contextmanager
def deployed(broken: list[str], redis_url: str) -> Iterator[Deployment | None]:
    """gunicorn with the production settings (DEBUG off, collected static files, Secure
    cookies) as behind a TLS-terminating proxy, the Redis cache, one media folder, one task
    worker; everything stopped and removed after."""
    from django.core.management.utils import get_random_secret_key

    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    deployment = Deployment(
        work,
        {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.bench.settings",  # ours and the bare views
            "DATABASE_URL": database_url(),
            # The production settings, unchanged: the proxy's X-Forwarded-Proto header (sent
            # by the locustfile) is what makes plain HTTP on loopback count as HTTPS.
            "DEBUG": "0",
            "PROXY_SSL_HEADER": "X-Forwarded-Proto",
            "SECRET_KEY": get_random_secret_key(),
            "ALLOWED_HOSTS": PUBLIC_HOST,
            "STATIC_ROOT": str(work / "static"),
            "MEDIA_ROOT": str(work / "media"),  # one folder for every instance and the worker
            "CACHE_URL": redis_url,
            "TASKS_BACKEND": "database",
            "BENCH_CODES": str(work / "people.json"),
        },
    )
    try:
        collected = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=settings.BASE_DIR,
            env=deployment.env,
            check=False,
            capture_output=True,
            text=True,
        )
        if collected.returncode:
            broken.append(f"load test: collectstatic failed: {collected.stderr.strip()[-300:]}")
            yield None
            return
        nice = ["nice", "-n", "10"] if shutil.which("nice") else []
        deployment.processes.append(
            subprocess.Popen(
                # Niced, as a worker beside web servers on one machine should be: a report
                # takes long anyway, a page should not wait for it.
                [*nice, sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "1"],
                cwd=settings.BASE_DIR,
                env=deployment.env,
                stdout=subprocess.DEVNULL,
            )
        )
        port = start_gunicorn(deployment)
        if port is None:
            broken.append("load test: gunicorn did not start")
            yield None
            return
        # Production settings, or the figures mean nothing: plain HTTP is sent to https, and a
        # missing page is the service's own 404, not Django's technical page.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/")
        plain = conn.getresponse()
        plain.read()
        conn.close()
        missing = ask(port, "GET", "/bench-no-such-page/", {})
        if (plain.status, plain.getheader("Location")) != (301, f"https://127.0.0.1:{port}/") or (
            missing[0] != 404 or b"Using the URLconf" in missing[2]
        ):
            broken.append(
                f"load test: gunicorn is not running with the production settings "
                f"(/ over http: {plain.status}; a missing page: {missing[0]})"
            )
            yield None
            return
        yield deployment
    finally:
        for process in deployment.processes:
            process.terminate()
        for process in deployment.processes:
            process.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
        if connection.vendor == "postgresql":
            # gunicorn kept its connections (CONN_MAX_AGE); the bench database is dropped next.
            with connection.cursor() as cursor:
                for _ in range(20):
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                    if not cursor.fetchone()[0]:
                        break
                    time.sleep(0.5)


def people(deployment: Deployment, codes: list[str], teams: int, *, quick: bool) -> int:
    """Teams of five (a lead, three contributors each answering their own themes, a viewer),
    one team per assessment, each person with a signed-in session; written for the locustfile.

    The sessions are made here: fifty sign-ins from one address in a few seconds would (rightly)
    be throttled, which is not what this measures. They are signed with the servers' secret key.
    """
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from assessment.models import Assessment, Membership, User

    themes = ["PP", "DI", "EM", "RA", "MC", "MV", "CD", "PW", "AR"]
    team = [("lead", themes), *[("contributor", themes[k * 3 : k * 3 + 3]) for k in range(3)]]
    team.append(("viewer", []))
    everyone = []
    run = uuid.uuid4().hex[:8]
    with override_settings(SECRET_KEY=deployment.env["SECRET_KEY"]):
        for t, code in enumerate(codes[:teams]):
            assessment = Assessment.objects.select_related("partnership").get(code=code)
            for k, (role, mine) in enumerate(team):
                user = User.objects.create_user(f"bench-{run}-{t}-{k}@bench.example", None)
                Membership.objects.create(
                    partnership=assessment.partnership, user=user, role=role, agency="police"
                )
                store = SessionStore()
                store[SESSION_KEY] = str(user.pk)
                store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
                store[HASH_SESSION_KEY] = user.get_session_auth_hash()
                store.create()
                everyone.append(
                    {
                        "session": store.session_key,
                        "role": role,
                        "code": code,
                        "partnership": str(assessment.partnership.code),
                        "themes": mine,
                    }
                )
    (deployment.work / "people.json").write_text(
        json.dumps(
            {
                "people": everyone,
                "think": [0.5, 2] if quick else [5, 20],
                "typing": [0.2, 0.5] if quick else [3, 8],
                "report_wait": 60 if quick else 150,
                # In the short run the viewer asks for the report at once, so that it is seen.
                "report_first": quick,
            }
        )
    )
    return len(everyone)


@dataclass
class Run:
    pages: list[dict]  # locust's stats row of each page
    total: dict  # and of all of them
    failures: list[str]
    exceptions: list[str]

    @property
    def rate(self) -> float:
        return float(self.total["Requests/s"])

    def p(self, row: dict, percent: int) -> int:
        return int(float(row[f"{percent}%"] or 0))


def locust(
    deployment: Deployment, user: str, users: int, seconds: int, name: str, **env: str
) -> Run:
    """One headless locust run against the first gunicorn, bounded in time."""
    prefix = deployment.work / name
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            "tests/load/locustfile.py",
            user,
            "--headless",
            "-u",
            str(users),
            "-r",
            str(max(users / 10, 1) if user == "Person" else users),
            "-t",
            f"{seconds}s",
            "--stop-timeout",
            "5",
            "--host",
            f"http://127.0.0.1:{deployment.ports[0]}",
            "--csv",
            str(prefix),
            "--only-summary",
        ],
        cwd=settings.BASE_DIR,
        env={**deployment.env, **env},
        check=False,
        capture_output=True,
        timeout=seconds + 120,
    )
    with open(f"{prefix}_stats.csv", newline="") as stats:
        rows = list(csv.DictReader(stats))
    with open(f"{prefix}_failures.csv", newline="") as errors:
        failures = [
            f"{r['Name']}: {r['Error']} x{r['Occurrences']}" for r in csv.DictReader(errors)
        ]
    # An exception in the locustfile (a page that changed shape) is not a failed request.
    with open(f"{prefix}_exceptions.csv", newline="") as raised:
        exceptions = [f"{r['Message']} x{r['Count']}" for r in csv.DictReader(raised)]
    return Run(
        [r for r in rows if r["Name"] != "Aggregated"],
        next(r for r in rows if r["Name"] == "Aggregated"),
        failures,
        exceptions,
    )


def realistic(add: Add, broken: list[str], deployment: Deployment, count: int, *, quick: bool):
    seconds = 15 if quick else 180
    run = locust(deployment, "Person", count, seconds, "realistic")
    think = "0.5-2 s (quick)" if quick else "5-20 s"
    add(
        f"Realistic run: {count} people, {seconds} s, think time {think}",
        f"{run.total['Request Count']} requests, {run.total['Failure Count']} errors",
        "",
        f"{run.rate:.1f} requests/s; p50 {run.p(run.total, 50)} / p95 {run.p(run.total, 95)} / "
        f"p99 {run.p(run.total, 99)} ms over all pages",
    )
    for row in sorted(run.pages, key=lambda r: r["Name"]):
        add(
            f"Realistic run: {row['Name']}",
            f"{row['Request Count']} requests, {row['Failure Count']} errors",
            "",
            f"p50 {run.p(row, 50)} / p95 {run.p(row, 95)} / p99 {run.p(row, 99)} ms; "
            f"p99 <= 2 s{' (met)' if run.p(row, 99) <= P99_GOAL_MS else ' (NOT met)'}",
        )
    asked = sum(int(r["Request Count"]) for r in run.pages if r["Name"] == "report: ask")
    got = sum(int(r["Request Count"]) for r in run.pages if r["Name"] == "report: download")
    worst = max(run.pages, key=lambda r: run.p(r, 99))
    add(
        "Realistic run: the slowest page at p99",
        f"{worst['Name']}: {run.p(worst, 99)} ms",
        "",
        f"no request over 2 s at p99; reports asked {asked}, downloaded {got} "
        f"(the others still being prepared when the run or the wait ended)",
        run.p(worst, 99) <= P99_GOAL_MS,
    )
    if run.failures:
        broken.append(f"realistic run: failed requests ({'; '.join(run.failures[:3])})")
    if run.exceptions:
        broken.append(f"realistic run: the locustfile raised {'; '.join(run.exceptions[:3])}")


def capacity(add: Add, broken: list[str], deployment: Deployment, *, quick: bool) -> None:
    """Step the number of users (no think time) up until p95 passes 500 ms: the highest rate
    served within it, for our pages and for their bare views, in the same gunicorn."""
    steps, seconds = ([1], 5) if quick else ([1, 2, 4, 6, 8, 12], 15)
    best: dict[str, tuple[float, int]] = {}
    for target in ("ours", "baseline"):
        trail = []
        for users in steps:
            run = locust(
                deployment, "Capacity", users, seconds, f"capacity-{target}-{users}",
                BENCH_TARGET=target,
            )  # fmt: skip
            p95 = run.p(run.total, 95)
            trail.append(f"{users} users {run.rate:.1f}/s p95 {p95} ms")
            if run.failures or run.exceptions:
                broken.append(
                    f"capacity run ({target}, {users} users): "
                    + "; ".join((run.failures + run.exceptions)[:3])
                )
                break
            if p95 > P95_LIMIT_MS:
                break
            if run.rate > best.get(target, (0.0, 0))[0]:
                best[target] = (run.rate, users)
        rate, users = best.get(target, (0.0, 0))
        label = "our pages" if target == "ours" else "their bare views"
        add(
            f"Capacity, {label}: highest rate with p95 <= 500 ms",
            f"{rate:.1f} requests/s ({users} users)"
            if users
            else f"none (p95 over 500 ms at {steps[0]} user{'s' if steps[0] > 1 else ''})",
            "",
            "; ".join(trail),
        )
    ours, bare = best.get("ours", (0.0, 0))[0], best.get("baseline", (0.0, 0))[0]
    if bare:
        add(
            "Capacity: our page mix against the bare views",
            f"{ours:.1f} / {bare:.1f} requests/s",
            f"{ours / bare:.2f}x",
            "goal: at least 1/3 of the bare views' rate",
            ours / bare >= 1 / 3,
        )


def two_instances(add: Add, broken: list[str], deployment: Deployment) -> None:
    """A second gunicorn beside the first: a session made on one is used on the other, failed
    logins on both count towards one throttle, and a report the worker rendered for one is
    served by either."""
    from django_tasks_db.models import DBTaskResult

    from assessment.models import Assessment, Membership, User

    # The reports people asked for before are still queued: this check waits its turn
    # behind them (bounded), as a person would.
    start = time.monotonic()
    while DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists():
        if time.monotonic() - start > 600:
            break
        time.sleep(2)
    queue_s = time.monotonic() - start
    second = start_gunicorn(deployment)
    if second is None:
        broken.append("two instances: the second gunicorn did not start")
        return
    first = deployment.ports[0]
    # A small assessment (the tests' framework), so that the worker renders its report quickly.
    assessment = Assessment.objects.get(
        title="Small 2", partnership__name="Bench small partnership"
    )
    password = uuid.uuid4().hex  # a fresh password and addresses per run: no throttle left over
    users = []
    for _ in range(2):
        user = User.objects.create_user(f"bench-two-{uuid.uuid4().hex[:8]}@bench.example", password)
        Membership.objects.create(
            partnership=assessment.partnership, user=user, role="viewer", agency="police"
        )
        users.append(user)

    def sign_in(port: int, email: str, secret: str, cookies: dict) -> tuple[int, bytes]:
        status, _, page = ask(port, "GET", "/accounts/login/", cookies)
        token = page.split(b'name="csrfmiddlewaretoken" value="', 1)[1].split(b'"', 1)[0]
        data = {"csrfmiddlewaretoken": token.decode(), "login": email, "password": secret}
        status, _, body = ask(port, "POST", "/accounts/login/", cookies, data)
        return status, body

    # 1. A session made on the first is used on the second.
    home = f"/assessments/{assessment.code}/"
    browser: dict[str, str] = {}
    signed_in = sign_in(first, users[0].email, password, browser)[0] == 302
    on_second = ask(second, "GET", home, dict(browser))[0]
    stranger = ask(second, "GET", home, {})[0]  # no session: sent to sign in
    session_ok = signed_in and on_second == 200 and stranger == 302
    add(
        "Two instances: a session made on one, used on the other",
        f"sign-in on :{first} {'302' if signed_in else 'failed'}; :{second} answers {on_second}",
        "",
        f"gunicorn x2 on ports {first} and {second}, one database, Redis cache, one media folder "
        f"(without the session: {stranger})",
        session_ok,
    )
    # 2. Five failed logins for one address in five minutes lock it: three on the first and
    # two on the second are five, so the sixth, with the right password, is refused.
    wrong = [
        b"Too many failed sign-in attempts"
        in sign_in(port, users[1].email, "wrong-password", {})[1]
        for port in (first, second, first, second, first)
    ]
    status, body = sign_in(second, users[1].email, password, {})
    throttled = status == 200 and b"Too many failed sign-in attempts" in body
    add(
        "Two instances: failed logins counted across both",
        f"6th attempt on :{second} {'refused' if throttled else 'let in'}",
        "",
        "3 failed on one, 2 on the other; the limit is 5 per address in 5 minutes",
        throttled and not any(wrong),
    )
    # 3. A report asked for on the first, rendered by the worker, served by both.
    cookies = dict(browser)
    path = f"/assessments/{assessment.code}/report"
    ask(first, "GET", path, cookies)
    ready, waited, start = False, 0.0, time.monotonic()
    while not ready and waited < 120:
        time.sleep(1)
        port = second if int(waited) % 2 else first  # a load balancer sends the polls to either
        ready = b"Your report is ready" in ask(port, "GET", path, cookies)[2]
        waited = time.monotonic() - start
    downloads = [ask(port, "GET", path + ".pdf", dict(cookies)) for port in (first, second)]
    same = (
        ready
        and all(d[0] == 200 and d[2].startswith(b"%PDF") for d in downloads)
        and downloads[0][1].getheader("X-Content-SHA256")
        == downloads[1][1].getheader("X-Content-SHA256")
        and downloads[0][2] == downloads[1][2]
    )
    add(
        "Two instances: a report rendered by the worker, served by either",
        f"ready after {waited:.0f} s; downloads {downloads[0][0]} / {downloads[1][0]}",
        "",
        f"identical bytes from both: {same} (after {queue_s:.0f} s for the reports asked "
        "for earlier to leave the queue)",
        same,
    )
    if not (session_ok and throttled and same):
        broken.append("two instances: a check failed (see the table)")
    # Only the first instance takes the load that follows.
    process = deployment.processes.pop()
    process.terminate()
    process.wait(timeout=30)
    deployment.ports.remove(second)


def load_and_scale(add: Add, broken: list[str], codes: list[str], *, quick: bool) -> None:
    """The realistic run, the capacity run and the two-instance check (see the module)."""
    if not shutil.which("locust", path=str(BIN)):
        add("Load and scale (locust)", "not run", "", "needs locust (the dev dependencies)")
        return
    with redis_cache() as redis_url:
        if redis_url is None:
            broken.append("load and scale: no Redis answers and redis-server is not installed")
            return
        with deployed(broken, redis_url) as deployment:
            if deployment is None:
                return
            # First, while the worker's queue is empty: its report does not wait behind the
            # ones the realistic run asks for. The second instance stops after it.
            two_instances(add, broken, deployment)
            count = people(deployment, codes, 1 if quick else 10, quick=quick)
            realistic(add, broken, deployment, count, quick=quick)
            capacity(add, broken, deployment, quick=quick)
