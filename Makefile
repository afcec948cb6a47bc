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
        install install-dev system-deps services worker beat bench bench-events bench-offices bench-care \
        bench-notifications bench-map bench-reports bench-import bench-http load backup restore clean run-deps

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
	DEBUG=true NOTIFICATIONS_IN_PROCESS_SWEEPER=true $(MANAGE) runserver $(HOST):$(PORT)

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
		ALLOWED_HOSTS=volunteer.example.kz EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend \
		IIN_ENCRYPTION_KEYS=$$($(BIN)/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
		IIN_HASH_KEY=check-deploy-$$(head -c 32 /dev/urandom | base64 | tr -dc A-Za-z0-9) \
		$(MANAGE) check --deploy --fail-level WARNING

BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/volunteer_net_bench2
BENCH_VOLUNTEERS ?= 100000
bench: $(VENV)/.installed ## Roster, staff lists and API at scale beside their SQL floors (BENCH_VOLUNTEERS=100000)
	@$(BIN)/python -c "import psycopg2; c = psycopg2.connect('$(BENCH_DATABASE_URL)'.rsplit('/', 1)[0] + '/postgres'); c.autocommit = True; cur = c.cursor(); cur.execute(\"select 1 from pg_database where datname = '$(notdir $(BENCH_DATABASE_URL))'\"); cur.fetchone() or cur.execute('create database $(notdir $(BENCH_DATABASE_URL))')"
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/roster.py --volunteers $(BENCH_VOLUNTEERS)

BENCH_EVENTS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/volunteer_net_bench_events
BENCH_SHIFTS ?= 50000
BENCH_SIGNUPS ?= 500000
bench-events: $(VENV)/.installed ## Campaign pages at scale on PostgreSQL (BENCH_SHIFTS=50000 BENCH_SIGNUPS=500000)
	@$(BIN)/python -c "import psycopg2; c = psycopg2.connect('$(BENCH_EVENTS_DATABASE_URL)'.rsplit('/', 1)[0] + '/postgres'); c.autocommit = True; cur = c.cursor(); cur.execute(\"select 1 from pg_database where datname = '$(notdir $(BENCH_EVENTS_DATABASE_URL))'\"); cur.fetchone() or cur.execute('create database $(notdir $(BENCH_EVENTS_DATABASE_URL))')"
	DATABASE_URL=$(BENCH_EVENTS_DATABASE_URL) $(BIN)/python bench/events.py --volunteers $(BENCH_VOLUNTEERS) \
		--shifts $(BENCH_SHIFTS) --signups $(BENCH_SIGNUPS)

BENCH_OFFICES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/vn_bench_offices
BENCH_VISITS ?= 200000
bench-offices: $(VENV)/.installed ## Front offices at scale (BENCH_VISITS=200000), then at a tenth of the visits
	@for url in $(BENCH_OFFICES_DATABASE_URL) $(BENCH_OFFICES_DATABASE_URL)_tenth; do \
		$(BIN)/python -c "import psycopg2, sys; u = sys.argv[1]; c = psycopg2.connect(u.rsplit('/', 1)[0] + '/postgres'); c.autocommit = True; cur = c.cursor(); n = u.rsplit('/', 1)[1]; cur.execute('select 1 from pg_database where datname = %s', [n]); cur.fetchone() or cur.execute('create database ' + n)" $$url; done
	DATABASE_URL=$(BENCH_OFFICES_DATABASE_URL) $(BIN)/python bench/front_offices.py --visits $(BENCH_VISITS)
	DATABASE_URL=$(BENCH_OFFICES_DATABASE_URL)_tenth $(BIN)/python bench/front_offices.py --visits $$(( $(BENCH_VISITS) / 10 ))
BENCH_CARE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/vn_bench_care
BENCH_CARE_PER_REGION ?= 2500
bench-care: $(VENV)/.installed ## Help requests: the coordinator's open list, map and API at scale (BENCH_CARE_PER_REGION=2500)
	@$(BIN)/python -c "import psycopg2; c = psycopg2.connect('$(BENCH_CARE_DATABASE_URL)'.rsplit('/', 1)[0] + '/postgres'); c.autocommit = True; cur = c.cursor(); cur.execute(\"select 1 from pg_database where datname = '$(notdir $(BENCH_CARE_DATABASE_URL))'\"); cur.fetchone() or cur.execute('create database $(notdir $(BENCH_CARE_DATABASE_URL))')"
	DATABASE_URL=$(BENCH_CARE_DATABASE_URL) $(BIN)/python bench/care.py --per-region $(BENCH_CARE_PER_REGION)
BENCH_MAP_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/vn_bench_map
BENCH_MAP_FEATURES ?= 10000
bench-map: $(VENV)/.installed ## Map GeoJSON endpoints beside their floors, and the map page in Chromium (BENCH_MAP_FEATURES=10000)
	@$(BIN)/python -c "import psycopg2; c = psycopg2.connect('$(BENCH_MAP_DATABASE_URL)'.rsplit('/', 1)[0] + '/postgres'); c.autocommit = True; cur = c.cursor(); cur.execute(\"select 1 from pg_database where datname = '$(notdir $(BENCH_MAP_DATABASE_URL))'\"); cur.fetchone() or cur.execute('create database $(notdir $(BENCH_MAP_DATABASE_URL))')"
	DATABASE_URL=$(BENCH_MAP_DATABASE_URL) $(BIN)/python bench/map.py --features $(BENCH_MAP_FEATURES) $(ARGS)
BENCH_REPORTS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/vn_bench_reports
bench-reports: $(VENV)/.installed ## Sign-ups export (CSV, XLSX) vs COPY, its memory, dashboards at full scale
	@$(BIN)/python -c "import psycopg2; c = psycopg2.connect('$(BENCH_REPORTS_DATABASE_URL)'.rsplit('/', 1)[0] + '/postgres'); c.autocommit = True; cur = c.cursor(); cur.execute(\"select 1 from pg_database where datname = '$(notdir $(BENCH_REPORTS_DATABASE_URL))'\"); cur.fetchone() or cur.execute('create database $(notdir $(BENCH_REPORTS_DATABASE_URL))')"
	DATABASE_URL=$(BENCH_REPORTS_DATABASE_URL) $(BIN)/python bench/reports.py --volunteers $(BENCH_VOLUNTEERS) \
		--shifts $(BENCH_SHIFTS) --signups $(BENCH_SIGNUPS)
BENCH_IMPORT_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/vn_bench_import
BENCH_IMPORT_ROWS ?= 50000
BENCH_IMPORT_SMALL ?= 10000
bench-import: $(VENV)/.installed ## Roster import: 50k-row XLSX checked and imported, preview page, memory at two sizes
	@$(BIN)/python -c "import psycopg2; c = psycopg2.connect('$(BENCH_IMPORT_DATABASE_URL)'.rsplit('/', 1)[0] + '/postgres'); c.autocommit = True; cur = c.cursor(); cur.execute(\"select 1 from pg_database where datname = '$(notdir $(BENCH_IMPORT_DATABASE_URL))'\"); cur.fetchone() or cur.execute('create database $(notdir $(BENCH_IMPORT_DATABASE_URL))')"
	DATABASE_URL=$(BENCH_IMPORT_DATABASE_URL) $(BIN)/python bench/imports.py --rows $(BENCH_IMPORT_ROWS) --small $(BENCH_IMPORT_SMALL)

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

NOTIFY_BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/volunteer_net_bench_notify
bench-notifications: $(VENV)/.installed ## Sweep throughput (100k messages) and the claim query at 1M rows
	@$(BIN)/python -c "import psycopg2; c = psycopg2.connect('$(NOTIFY_BENCH_DATABASE_URL)'.rsplit('/', 1)[0] + '/postgres'); c.autocommit = True; cur = c.cursor(); cur.execute(\"select 1 from pg_database where datname = '$(notdir $(NOTIFY_BENCH_DATABASE_URL))'\"); cur.fetchone() or cur.execute('create database $(notdir $(NOTIFY_BENCH_DATABASE_URL))')"
	DATABASE_URL=$(NOTIFY_BENCH_DATABASE_URL) $(BIN)/python bench/notifications.py $(ARGS)

backup: ## Dump the PostgreSQL database of DATABASE_URL into backups/ (pg_dump, custom format)
	@bash scripts/backup.sh backup

restore: ## Restore FILE=backups/….dump into DATABASE_URL (empty, or FORCE=yes to replace)
	@bash scripts/backup.sh restore

clean: ## Remove the virtual environment, SQLite database and compiled files
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache celerybeat-schedule*
	find . -name '*.mo' -not -path './.venv/*' -delete
