# peerportal — the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip

.PHONY: run test install install-test chromium lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## run: the portal with demo data on embedded defaults (SQLite, folder queue; no Redis).
run: export CELERY_BROKER_URL ?= filesystem://
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start -f Procfile.dev

## chromium: the browser for the end-to-end tests, from Debian's packages (Playwright drives it).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

## test: install what the tests need, then lint, check migrations and run the suite.
test: install-test chromium
	$(BIN)/ruff check peerportal tests
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=tests.settings
	$(BIN)/python -m pytest

lint: install-test
	$(BIN)/ruff check peerportal tests

clean:
	rm -rf $(VENV) var

## bench: gunicorn (2 workers) on PostgreSQL + Redis with `seed_demo --scale large`, driven by
## locust headless; prints req/s, p50/p95 and errors per page (and as a ratio to /healthz),
## then a booking contention run; writes bench/results.md. Not part of `make test`.
.PHONY: bench
bench: install
	$(PIP) install --quiet -e '.[bench]'
	$(BIN)/python bench/load.py

## bench-reminders: 10,000 due reminders through Redis and one worker to a local SMTP sink
## (PostgreSQL + Redis; see bench/README.md). Not part of `make test`.
.PHONY: bench-reminders
bench-reminders: install
	$(PIP) install --quiet -e '.[bench]'
	$(BIN)/python bench/reminders.py

## profile: one `make bench` page in-process on the bench data: CPU per request, queries,
## writes, pyinstrument call tree and EXPLAIN ANALYZE of its slowest queries.
## make profile PAGE="groups directory"   (make profile PAGE=list shows the pages)
.PHONY: profile
profile: install
	$(PIP) install --quiet -e '.[bench]'
	@if [ "$(PAGE)" = list ] || [ -z "$(PAGE)" ]; then $(BIN)/python bench/profile.py --list; \
	else $(BIN)/python bench/profile.py "$(PAGE)" $(ARGS); fi
