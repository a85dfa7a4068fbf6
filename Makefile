PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run admin test lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-run

var:
	mkdir -p var

## make run: install, migrate and serve on http://127.0.0.1:8000 (SQLite, local files, console e-mail)
run: $(VENV)/.installed-run | var
	$(BIN)/python manage.py migrate --noinput
	@echo ""
	@echo "  API:            http://$(HOST):$(PORT)/api/   (docs: /api/docs/)"
	@echo "  Staff console:  http://$(HOST):$(PORT)/admin/ (create an account with: make admin)"
	@echo "  E-mail and SMS codes are printed below, in this server's log."
	@echo ""
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## make admin: create a staff (role admin) account for the console
admin: $(VENV)/.installed-run | var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createsuperuser

## make test: the whole suite (SQLite by default; CI points DATABASE_URL/CACHE_URL at PostgreSQL/Redis)
test: $(VENV)/.installed-dev
	$(BIN)/pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var *.egg-info
