# The README's two commands: `make run` and `make test`. Both work from a fresh clone.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
export XDG_RUNTIME_DIR ?= $(CURDIR)/var/run

.PHONY: run test lint bench

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# Test-only JavaScript tools (ical.js reads the ICS feed in tests, defect T1); nothing here is served.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

var:
	mkdir -p var/run && chmod 700 var/run

run: $(VENV)/.installed var
	DEBUG=$${DEBUG:-1} $(PY) manage.py devserver

# Tests run with DEBUG off (production-like). SECRET_KEY here is a test-only value.
# pytest --create-db: a run that was killed half-way must not leave rows for the next one to trip over.
TEST_SECRET := test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789
test: $(VENV)/.installed node_modules/.installed var
	$(PY) -m ruff format --check .
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	DEBUG=1 $(PY) -m mypy organizer_pm accounts clients operations projects billing photos
	DEBUG=1 $(PY) -m mypy --strict operations/recurrence.py operations/recurrence_text.py operations/localtime.py operations/formats.py projects/scheduling billing/money.py photos/processing.py projects/sessions/spread.py projects/status.py operations/kpi_math.py
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	DEBUG=0 SECRET_KEY="$(TEST_SECRET)" ALLOWED_HOSTS=organizer.example.com \
		$(PY) manage.py check --deploy --fail-level WARNING
	SECRET_KEY="$${SECRET_KEY:-$(TEST_SECRET)}" tests/run.sh $(PY) $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(PY) -m ruff format --check . && $(PY) -m ruff check . && $(VENV)/bin/lint-imports

bench: $(VENV)/.installed var
	for f in bench/*.py; do $(PY) $$f || exit 1; done
