# Volunteer Net — developer commands. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs on PostgreSQL and Redis (pytest-django creates its own test database).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/volunteer_net
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.DEFAULT_GOAL := help
.PHONY: help run test test-fast e2e lint format check messages compilemessages migrate seed \
        install install-dev system-deps services worker beat bench bench-smoke bench-report bench-roster \
        bench-events bench-offices bench-care bench-notifications bench-map bench-reports bench-import \
        bench-http load backup restore clean run-deps

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed ## Create the virtual environment with the runtime dependencies

install-dev: $(VENV)/.installed-dev ## Add the test and lint tools

compilemessages: $(VENV)/.installed ## Compile the kk/ru/en translations (.po → .mo)
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: install GNU gettext (apt-get install gettext)"; exit 1; }
	DEBUG=true $(MANAGE) compilemessages --ignore=.venv --verbosity 0

messages: $(VENV)/.installed ## Extract translatable strings into locale/*/django.po
	DEBUG=true $(MANAGE) makemessages -l kk -l ru -l en --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=bench --no-obsolete
	DEBUG=true $(MANAGE) makemessages -d djangojs -l kk -l ru -l en --ignore=.venv --ignore=staticfiles --ignore=node_modules --no-obsolete

migrate: $(VENV)/.installed ## Apply database migrations (DATABASE_URL, default SQLite)
	@DEBUG=true $(BIN)/python scripts/check_db_layout.py
	DEBUG=true $(MANAGE) migrate --verbosity 1

seed: $(VENV)/.installed ## Load demo data into an empty database (make seed ARGS="--volunteers 100000")
	DEBUG=true $(MANAGE) seed_demo --if-empty $(ARGS)

run-deps:
	@bash scripts/run_deps.sh

run: run-deps $(VENV)/.installed compilemessages migrate seed ## Serve the app with demo data on http://127.0.0.1:8000 (SQLite, no Redis)
	@echo "Volunteer Net: http://$(HOST):$(PORT)/  (demo logins in README.md)"
	@echo "Due messages go out from the server process itself (no Redis here); mails print to this console."
	DEBUG=true NOTIFICATIONS_IN_PROCESS_SWEEPER=true SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(MANAGE) runserver $(HOST):$(PORT)

system-deps: ## Install (Debian, as root) or name what the suite needs: gettext, Chromium, PostgreSQL, Redis; start them
	@bash scripts/test_services.sh

services: system-deps $(VENV)/.installed ## Check that PostgreSQL, Redis and Chromium answer for the test suite
	@DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python scripts/check_services.py

test: services $(VENV)/.installed-dev compilemessages ## Run the whole suite (PostgreSQL, Redis, Chromium browser tests)
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) DJANGO_ALLOW_ASYNC_UNSAFE=true \
		$(BIN)/pytest $(PYTEST_ARGS)

test-fast: services $(VENV)/.installed-dev compilemessages ## The suite without the browser tests
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest -m "not e2e" $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev ## ruff, ruff format, mypy (django-stubs), migrations in sync
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(BIN)/mypy accounts regions volunteers detachments front_offices notifications events care reports volunteer_net
	DEBUG=true $(MANAGE) makemigrations --check --dry-run

format: $(VENV)/.installed-dev ## Format and autofix with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: $(VENV)/.installed ## Django system checks, production settings included
	DEBUG=true $(MANAGE) check
	DEBUG=false SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | base64 | tr -dc A-Za-z0-9) \
		ALLOWED_HOSTS=volunteer.example.kz SITE_URL=https://volunteer.example.kz \
		EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend \
		IIN_ENCRYPTION_KEYS=$$($(BIN)/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
		IIN_HASH_KEY=check-deploy-$$(head -c 32 /dev/urandom | base64 | tr -dc A-Za-z0-9) \
		$(MANAGE) check --deploy --fail-level WARNING

# One bench database at national scale (seed_demo: 100 000 volunteers, 500 000 sign-ups, 200 000
# visits, 1 000 000 messages …), built once and reused while bench/common.py's SEED_VERSION and
# scale match; the front offices are measured again on <name>_tenth at a tenth of the data.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/volunteer_net_bench
BENCH_SMOKE_DATABASE_URL ?= $(TEST_DATABASE_URL)_bench_smoke
bench: $(VENV)/.installed ## Every benchmark at national scale beside its floors → bench/results/*.json, BENCHMARKS.md
	$(BIN)/python bench/run.py --database $(BENCH_DATABASE_URL) $(ARGS)

bench-smoke: $(VENV)/.installed ## The same benchmarks at a tiny scale (a minute), checking that every scenario gives figures
	@out=$$(mktemp -d) && $(BIN)/python bench/run.py --scale smoke --database $(BENCH_SMOKE_DATABASE_URL) \
		--out $$out --no-report --check $(ARGS); status=$$?; rm -rf $$out; exit $$status

bench-report: ## Rewrite BENCHMARKS.md from the latest bench/results/*.json
	$(BIN)/python bench/report.py

bench-roster: $(VENV)/.installed ## Roster, staff lists and the volunteers API on the bench database
	$(BIN)/python bench/roster.py --database $(BENCH_DATABASE_URL) $(ARGS)

bench-events: $(VENV)/.installed ## Campaign pages, open shifts and sign-up on the bench database
	$(BIN)/python bench/events.py --database $(BENCH_DATABASE_URL) $(ARGS)

bench-offices: $(VENV)/.installed ## Front offices on the bench database, then at a tenth of the data
	$(BIN)/python bench/front_offices.py --database $(BENCH_DATABASE_URL) $(ARGS)
	$(BIN)/python bench/front_offices.py --scale tenth --database $(BENCH_DATABASE_URL)_tenth $(ARGS)

bench-care: $(VENV)/.installed ## Help requests: the coordinator's open list, map and API on the bench database
	$(BIN)/python bench/care.py --database $(BENCH_DATABASE_URL) $(ARGS)

bench-map: $(VENV)/.installed ## Map GeoJSON endpoints at 10 000 features beside their floors, and the map page in Chromium
	$(BIN)/python bench/map.py --database $(BENCH_DATABASE_URL) --browser $(ARGS)

bench-reports: $(VENV)/.installed ## Sign-ups export (CSV, XLSX) vs COPY, its memory, dashboards on the bench database
	$(BIN)/python bench/reports.py --database $(BENCH_DATABASE_URL) $(ARGS)

bench-import: $(VENV)/.installed ## Roster import: 50k-row XLSX checked and imported, preview page, memory at two sizes
	$(BIN)/python bench/imports.py --database $(BENCH_DATABASE_URL) $(ARGS)

bench-notifications: $(VENV)/.installed ## Sweep throughput (100k messages) and the claim query among 1M rows
	$(BIN)/python bench/notifications.py --database $(BENCH_DATABASE_URL) $(ARGS)

BENCH_HTTP_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/vn_bench_http
BENCH_HTTP_REDIS_URL ?= redis://127.0.0.1:6379/13
BENCH_HTTP_SECONDS ?= 10
bench-http: $(VENV)/.installed ## Over HTTP: gunicorn (sync, threaded), 32 clients signing up, booking, browsing, beside a bare view
	@mkdir -p bench/results
	$(BIN)/python bench/over_http.py --database-url $(BENCH_HTTP_DATABASE_URL) --redis-url $(BENCH_HTTP_REDIS_URL) \
		--seconds $(BENCH_HTTP_SECONDS) --json bench/results/http-$$(date -u +%Y%m%dT%H%M%SZ).json

LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/vn_load
LOAD_REDIS_URL ?= redis://127.0.0.1:6379/13
DURATION ?= 120
CLIENTS ?= 50
load: $(VENV)/.installed ## Mixed load on two gunicorn instances and two workers, then the invariants (DURATION=120 CLIENTS=50)
	@mkdir -p bench/results
	$(BIN)/python bench/load.py --database-url $(LOAD_DATABASE_URL) --redis-url $(LOAD_REDIS_URL) \
		--seconds $(DURATION) --clients $(CLIENTS) --json bench/results/load-$$(date -u +%Y%m%dT%H%M%SZ).json

worker: $(VENV)/.installed ## Celery worker: sends messages, runs the sweep (needs REDIS_URL)
	$(BIN)/celery -A volunteer_net worker --loglevel INFO

beat: $(VENV)/.installed ## Celery beat: queues the sweep every minute; a second beat stands by (needs REDIS_URL)
	$(BIN)/celery -A volunteer_net beat --loglevel INFO --schedule $${BEAT_SCHEDULE_FILE:-celerybeat-schedule}

backup: ## Dump the PostgreSQL database of DATABASE_URL into backups/ (pg_dump, custom format)
	@bash scripts/backup.sh backup

restore: ## Restore FILE=backups/….dump into DATABASE_URL (empty, or FORCE=yes to replace)
	@bash scripts/backup.sh restore

clean: ## Remove the virtual environment, SQLite database and compiled files
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache celerybeat-schedule*
	find . -name '*.mo' -not -path './.venv/*' -delete
