# peerportal — the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip

.PHONY: run test test-at test-clocks install install-test chromium lint clean

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

## run: the portal with demo data on embedded defaults (SQLite, folder queue; no Redis) at
## http://127.0.0.1:8000 (PORT=8001 make run for another port). Debug is off, so errors show
## the portal's own pages; DJANGO_DEBUG=1 make run shows Django's debug pages instead.
PORT ?= 8000
run: export CELERY_BROKER_URL ?= filesystem://
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "peerportal: open $$SITE_URL/ (Ctrl-C stops web, worker and scheduler)"
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start -f Procfile.dev --port $(PORT)

## chromium: the browser for the end-to-end tests, from Debian's packages (Playwright drives it).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

## test: install what the tests need, then lint, check migrations and run the suite (on both
## cores: pytest-xdist gives each worker its own test database and browser).
test: install-test chromium
	$(BIN)/ruff check peerportal tests
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=tests.settings
	$(BIN)/python -m pytest -n 2 --dist loadgroup

## test-at: the non-browser suite with the clock started at CLOCK (ISO 8601 with a zone, or
## "random"), e.g. `make test-at CLOCK=2028-02-29T12:00:00Z`, on both cores (pytest-xdist).
## Left out because no date reaches them: the browser tests (Chromium keeps the real clock),
## the real-worker crash tests, string extraction and the who-may-open-what matrix; tests
## that pin their own instant deselect themselves (they would run exactly as in `make test`).
CLOCK ?= random
DB_REUSE ?=
test-at: install-test
	$(BIN)/python -m pytest -m "not e2e and not integration" -n 2 --dist loadgroup -q \
	  -p no:cacheprovider $(DB_REUSE) --clock "$(CLOCK)" --ignore=tests/test_translations.py \
	  --ignore=tests/test_authorization_matrix.py

## test-clocks: the instants CI pins (UTC): a Monday 00:30 in New York, both DST changes,
## 29 February and New Year's Eve late evening local. The first run builds the test
## databases afresh and keeps them; the other four reuse them (no time-dependent data is
## left behind: every test rolls back or flushes).
CLOCKS := 2026-11-23T05:30:00Z 2027-03-14T07:30:00Z 2027-11-07T05:30:00Z \
	2028-02-29T12:00:00Z 2027-01-01T04:30:00Z
test-clocks: install-test
	@set -e; reuse="--reuse-db --create-db"; for clock in $(CLOCKS); do \
	  echo "== the suite at $$clock"; \
	  $(MAKE) --no-print-directory test-at CLOCK=$$clock DB_REUSE="$$reuse"; reuse="--reuse-db"; \
	done

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
## (PostgreSQL + Redis; see bench/README.md); writes its block of bench/results.md.
## ARGS="--kill-after 2500 --kills 3" kills the worker mid-batch. Not part of `make test`.
.PHONY: bench-reminders
bench-reminders: install
	$(PIP) install --quiet -e '.[bench]'
	$(BIN)/python bench/reminders.py $(ARGS)

## profile: one `make bench` page in-process on the bench data: CPU per request, queries,
## writes, pyinstrument call tree and EXPLAIN ANALYZE of its slowest queries.
## make profile PAGE="groups directory"   (PAGE=list shows the pages; PAGE=all: CPU of each)
.PHONY: profile
profile: install
	$(PIP) install --quiet -e '.[bench]'
	@if [ "$(PAGE)" = list ] || [ -z "$(PAGE)" ]; then $(BIN)/python bench/profile.py --list; \
	elif [ "$(PAGE)" = all ]; then $(BIN)/python bench/profile.py --all --requests 10 $(ARGS); \
	else $(BIN)/python bench/profile.py "$(PAGE)" $(ARGS); fi
