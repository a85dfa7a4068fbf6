PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve bench admin test test-quick lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Twice quiet: pip's warnings (an index it cannot read, a newer pip) say nothing to someone
# starting the platform; errors still show.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --quiet --disable-pip-version-check -e '.[dev]'
	touch $@ $(VENV)/.installed-run

var:
	mkdir -p var

# The background worker with the periodic jobs (`--beat`), in one process: what `make run` and
# `make serve` start beside the app; it ends with them.
CELERY = $(BIN)/celery -A csa
WORKER = worker --beat --without-mingle --without-gossip

## make run: install, migrate and serve on http://127.0.0.1:8000 (SQLite, local files, console
## e-mail, a background worker whose queue is a folder under var/); what it prints is also kept in
## var/run.log, where the first session's commands read the verification codes
RUN_LOG = $${VAR_DIR:-var}/run.log
run: $(VENV)/.installed-run | var
	$(BIN)/python manage.py migrate --noinput
	@echo ""
	@echo "  API:            http://$(HOST):$(PORT)/api/   (docs: /api/docs/)"
	@echo "  Staff console:  http://$(HOST):$(PORT)/admin/ (create an account with: make admin)"
	@echo "  E-mail and SMS codes are printed below, in this server's log (also $(RUN_LOG))."
	@echo ""
	@: > $(RUN_LOG); export PYTHONUNBUFFERED=1; \
	{ $(CELERY) --quiet $(WORKER) --pool=solo & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT); } 2>&1 | tee -a $(RUN_LOG)

## make serve: production settings (DEBUG off) under gunicorn on PostgreSQL and Redis, with a
## background worker on the same
SERVE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/csa
SERVE_CACHE_URL ?= redis://127.0.0.1:6379/0
SERVE_BROKER_URL ?= redis://127.0.0.1:6379/1
WORKERS ?= $(shell nproc)
# Threads per app process: a request waiting on a vendor holds one thread, not the process.
THREADS ?= 16
SERVE_ENV = DEBUG=false \
	DATABASE_URL=$${DATABASE_URL:-$(SERVE_DATABASE_URL)} \
	CACHE_URL=$${CACHE_URL:-$(SERVE_CACHE_URL)} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(SERVE_BROKER_URL)} \
	SECRET_KEY=$${SECRET_KEY:-$$(cat var/secret_key)} \
	OIDC_RSA_PRIVATE_KEY_FILE=$${OIDC_RSA_PRIVATE_KEY_FILE:-var/oidc_signing_key.pem} \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} \
	CONN_MAX_AGE=$${CONN_MAX_AGE:-60} \
	SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-false} \
	TURNSTILE_TEST_MODE=$${TURNSTILE_TEST_MODE:-true}

var/secret_key: | var
	$(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	chmod 600 $@

var/oidc_signing_key.pem: | var
	$(BIN)/python -c 'from oidc.signing_keys import new_private_key_pem as k; print(k().decode(), end="")' > $@
	chmod 600 $@

serve: $(VENV)/.installed-run var/secret_key var/oidc_signing_key.pem
	@createdb -h 127.0.0.1 -U postgres csa 2>/dev/null || true
	$(SERVE_ENV) $(BIN)/python manage.py migrate --noinput
	$(SERVE_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@$(SERVE_ENV) $(CELERY) $(WORKER) --concurrency $(WORKERS) & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(SERVE_ENV) $(BIN)/gunicorn csa.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) \
		--worker-class gthread --threads $(THREADS) \
		--access-logfile /dev/null --error-logfile - --graceful-timeout 30 --timeout 60

## make bench: load test of the production server: hot routes beside a bare ceiling, a million
## rows (deep pages, the console), a slow vendor; writes docs/benchmarks.md (needs PostgreSQL and
## Redis as for make serve; loads its data set once; installs wrk if missing)
BENCH_ARGS ?=
bench: $(VENV)/.installed-run | var
	@command -v wrk >/dev/null || apt-get install -y wrk || (apt-get update && apt-get install -y wrk)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

## make admin: create a staff (role admin) account for the console
admin: $(VENV)/.installed-run | var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createsuperuser

## make test: the whole suite (SQLite by default; CI points DATABASE_URL/CACHE_URL at PostgreSQL/Redis)
# One pytest-xdist worker per core; each has its own test database and Redis database.
TEST_WORKERS ?= auto
test: $(VENV)/.installed-dev
	$(BIN)/pytest -n $(TEST_WORKERS)

## make test-quick: the suite without the live processes and the fuzzing
test-quick: $(VENV)/.installed-dev
	$(BIN)/pytest -n $(TEST_WORKERS) -m "not live and not fuzz"

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var *.egg-info
