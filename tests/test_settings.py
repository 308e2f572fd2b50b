"""Settings come from the environment and fail loudly, naming the variable, on a bad value."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-secret-that-is-long-enough-and-random-3f9c2e7d1b8a4f6e0d5c",
    "ALLOWED_HOSTS": "assess.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://assess.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
}


def run_manage(*args: str, **env: str | None) -> subprocess.CompletedProcess:
    """manage.py in a fresh process with none of our variables (the browser tests set one for
    this process), in development mode unless ``env`` says otherwise (``DEBUG=None`` unsets it)."""
    ours = {
        *PRODUCTION,
        "EMAIL_URL",
        "CACHE_URL",
        "CONN_MAX_AGE",
        "STATIC_ROOT",
        "TASKS_BACKEND",
        "RQ_URL",
        "EVIDENCE_STORAGE",
        "EVIDENCE_MAX_MB",
        "AWS_STORAGE_BUCKET_NAME",
        "AWS_S3_ENDPOINT_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    chosen = {k: v for k, v in {**clean, "DEBUG": "true", **env}.items() if v is not None}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=chosen,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be true or false"),
        ({"DEBUG": "0", "ALLOWED_HOSTS": "x.org"}, "SECRET_KEY must be set when DEBUG is off"),
        ({**PRODUCTION, "SECRET_KEY": "short"}, "SECRET_KEY must be at least 50 characters"),
        ({**PRODUCTION, "ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must be set when DEBUG is off"),
        ({"DATABASE_URL": "nosuchdb://whatever"}, "DATABASE_URL is not a valid database URL"),
        ({"EMAIL_URL": "pigeon://loft"}, "EMAIL_URL is not a valid email URL"),
        (
            {"CSRF_TRUSTED_ORIGINS": "assess.example.org"},
            "CSRF_TRUSTED_ORIGINS entries must start with",
        ),
        ({"CACHE_URL": "memcached://x"}, "CACHE_URL must be"),
        ({"CACHE_URL": "redis://"}, "CACHE_URL must be redis://host:port/db"),
        ({"CACHE_URL": "redis://cache.example:sixty/0"}, "CACHE_URL must be redis://host:port/db"),
        (
            {"CACHE_URL": "redis://cache.example:6379/zero"},
            "CACHE_URL must be redis://host:port/db",
        ),
        ({**PRODUCTION, "CACHE_URL": "locmem://"}, "CACHE_URL=locmem:// keeps the cache in one"),
        ({"CONN_MAX_AGE": "forever"}, "CONN_MAX_AGE must be a whole number"),
        ({"TASKS_BACKEND": "celery"}, "TASKS_BACKEND must be one of database, immediate, rq"),
        ({"TASKS_BACKEND": "rq"}, "RQ_URL must be a redis://"),
        ({"EVIDENCE_STORAGE": "ftp"}, "EVIDENCE_STORAGE must be filesystem or s3, not 'ftp'"),
        ({"EVIDENCE_STORAGE": "s3"}, "AWS_STORAGE_BUCKET_NAME must be set"),
        (
            {"EVIDENCE_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "b", "AWS_S3_ENDPOINT_URL": "x"},
            "AWS_S3_ENDPOINT_URL must start with https://",
        ),
        ({"EVIDENCE_MAX_MB": "0"}, "EVIDENCE_MAX_MB must be a whole number from 1 to 1024"),
        ({"EVIDENCE_MAX_MB": "lots"}, "EVIDENCE_MAX_MB must be a whole number"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(env, message):
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "DEBUG", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_email_url_configures_smtp():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT)",
        EMAIL_URL="smtp://user:secret@mail.example.org:587/?tls=True",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.example.org",
        "587",
    ]


def test_the_default_database_is_sqlite_with_immediate_transactions():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['ENGINE'], d['OPTIONS']['transaction_mode'])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "IMMEDIATE"]


def test_static_root_can_be_set(tmp_path):
    print_it = "from django.conf import settings; print(settings.STATIC_ROOT)"
    default = run_manage("shell", "--no-imports", "-c", print_it)
    chosen = run_manage("shell", "--no-imports", "-c", print_it, STATIC_ROOT=str(tmp_path))
    assert default.stdout.strip() == str(ROOT / "staticfiles"), default.stderr
    assert chosen.stdout.strip() == str(tmp_path), chosen.stderr


@pytest.mark.django_db
def test_no_migrations_are_missing():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_evidence_goes_to_an_s3_compatible_store_when_told_and_stays_private():
    # The settings alone: starting the app with s3 also needs boto3 installed (README), and
    # django-storages stops start-up with "Could not load Boto3's S3 bindings" without it.
    ours = {"EVIDENCE_STORAGE", "AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "DEBUG"}
    env = {k: v for k, v in os.environ.items() if k not in ours} | {
        "DEBUG": "true",
        "EVIDENCE_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "evidence-bucket",
        "AWS_S3_ENDPOINT_URL": "https://objects.example.org",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from assessment import settings; print(settings.STORAGES['evidence'])",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "storages.backends.s3.S3Storage" in result.stdout
    assert "'bucket_name': 'evidence-bucket'" in result.stdout
    assert "'default_acl': 'private'" in result.stdout
    assert "'endpoint_url': 'https://objects.example.org'" in result.stdout


def test_a_bad_cache_url_is_named_without_its_password():
    result = run_manage("check", CACHE_URL="redis://:hunter2-secret@cache.example:6379/one")
    assert result.returncode != 0
    assert "CACHE_URL must be redis://host:port/db" in result.stderr
    assert "redis://:***@cache.example:6379/one" in result.stderr
    assert "hunter2-secret" not in result.stderr


def test_cache_url_configures_a_redis_cache_and_the_default_is_the_database():
    print_it = (
        "from django.conf import settings; c = settings.CACHES['default']; "
        "print(c['BACKEND'], c['LOCATION'])"
    )
    redis = run_manage("shell", "--no-imports", "-c", print_it, CACHE_URL="redis://cache:6379/2")
    default = run_manage("shell", "--no-imports", "-c", print_it)
    assert redis.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://cache:6379/2",
    ], redis.stderr
    assert default.stdout.split() == [
        "django.core.cache.backends.db.DatabaseCache",
        "django_cache",
    ], default.stderr


def test_two_processes_share_what_they_cache_in_the_real_redis():
    """Against the Redis on this machine (``.ci/run`` starts one when none answers): what one
    web server caches (a login throttle, a report being prepared) the other reads."""
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    key, value = f"test-shared-{uuid.uuid4()}", str(uuid.uuid4())
    written = run_manage(
        "shell",
        "--no-imports",
        "-c",
        f"from django.core.cache import cache; cache.set({key!r}, {value!r}, 60); print('ok')",
        CACHE_URL=url,
    )
    assert written.stdout.strip() == "ok", written.stderr
    read = run_manage(
        "shell",
        "--no-imports",
        "-c",
        f"from django.core.cache import cache; print(cache.get({key!r})); cache.delete({key!r})",
        CACHE_URL=url,
    )
    assert read.stdout.strip() == value, read.stderr


def test_a_web_server_process_loads_the_charts_library_as_it_starts():
    """gunicorn imports ``assessment.wsgi``: matplotlib is imported there, not in the first
    request that draws a chart (1.4 s, once per process, the slowest pages of the load run)."""
    check = "import sys; import assessment.wsgi; print('matplotlib.pyplot' in sys.modules)"
    result = run_manage(
        "shell", "--no-imports", "-c", "import sys; print('matplotlib.pyplot' in sys.modules)"
    )
    assert result.stdout.strip() == "False", result.stderr  # a plain command does not pay for it
    started = run_manage("shell", "--no-imports", "-c", check)
    assert started.stdout.strip() == "True", started.stderr
