# Two commands are the whole set-up: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# DEBUG is off unless set: the commands here that start Django choose development mode.
DEV := DEBUG=true $(PY)
FRAMEWORKS := $(wildcard fixtures/frameworks/*.yaml)
RECOMMENDATIONS := $(wildcard fixtures/recommendations/*.yaml)
# The suite runs on every core (pytest-xdist); `make test PYTEST_PARALLEL=` runs it in one process.
# worksteal: a worker that finishes early takes tests queued for the other.
PYTEST_PARALLEL ?= -n auto --dist worksteal
DEBIAN_TEST_PACKAGES := chromium-headless-shell fonts-liberation libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 default-jre-headless redis-server

.PHONY: install run test lint format bench lock system-deps redis clean

## install: Python virtualenv from the pinned lock, npm packages, GOV.UK Frontend build (idempotent)
install: $(VENV)/.installed node_modules/.installed static/dist/.built

$(VENV)/.installed: requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/dist/.built: node_modules/.installed build.mjs $(wildcard static/src/*)
	npm run --silent build
	@touch $@

## run: install, prepare the SQLite database, load the question bank, recommendation sets and demo data, serve on :8000
##      with a task worker beside the web server
run: install
	$(DEV) manage.py migrate --noinput
	$(DEV) manage.py createcachetable
	@for f in $(FRAMEWORKS); do $(DEV) manage.py load_framework "$$f" || exit 1; done
	$(DEV) manage.py load_recommendations $(RECOMMENDATIONS)
	$(DEV) manage.py seed_demo --if-empty
	@# The task worker (reports, exports, emails) runs beside the web server; Ctrl-C stops both.
	@$(DEV) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	echo "Task worker started (process $$worker): it renders reports and other long work."; \
	$(DEV) manage.py runserver 127.0.0.1:8000

## test: install, lint, validate the question bank, run the whole test suite
test: install system-deps redis
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(DEV) -m mypy
	@for f in $(FRAMEWORKS); do $(DEV) manage.py load_framework --check "$$f" || exit 1; done
	$(DEV) manage.py load_recommendations --check $(RECOMMENDATIONS)
	$(VENV)/bin/pytest $(PYTEST_PARALLEL)

## system-deps: Debian packages the browser tests and the shared-cache test need (installed only when missing and root)
system-deps:
	@missing=""; \
	command -v chromium-headless-shell >/dev/null || missing="$$missing chromium-headless-shell"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	fc-list 2>/dev/null | grep -qi "liberation sans" || missing="$$missing fonts-liberation"; \
	ldconfig -p 2>/dev/null | grep -q libpangoft2 || missing="$$missing libpangoft2-1.0-0"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBIAN_TEST_PACKAGES) >/dev/null; \
	  else \
	    echo "Missing Debian packages:$$missing — the browser tests will be skipped (install them as root to run them)."; \
	  fi; \
	fi

## redis: a Redis on 127.0.0.1:6379 for the test of the cache shared by several processes
##        (started, without saving anything to disk, when none answers there)
redis:
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { \
	  redis-server --port 6379 --bind 127.0.0.1 --save "" --appendonly no --daemonize yes && \
	  for _ in $$(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done; }

## lint / format: ruff; lint also type-checks with mypy and django-stubs (settings in pyproject.toml)
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(DEV) -m mypy

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## bench: the benchmark command (budgets in ../shared/design.md)
bench: install
	$(DEV) manage.py bench

## lock: re-resolve requirements.lock from the ranges in pyproject.toml
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --disable-pip-version-check '.[dev]'
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^assessment' > requirements.lock
	rm -rf .lock-venv build *.egg-info

clean:
	rm -rf $(VENV) node_modules static/dist staticfiles db.sqlite3*
