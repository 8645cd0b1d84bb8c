# Two commands do everything: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: demo test test-js venv services lint format serve migrate seed bench bench-live clean

$(BIN)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

venv: $(BIN)/.installed

## Install the system packages the test suite starts itself (PostgreSQL, Redis, Chromium).
services:
	@scripts/install-system-deps

migrate: venv
	DJANGO_SETTINGS_MODULE=trialoog.settings.local $(BIN)/python manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=trialoog.settings.local $(BIN)/python manage.py createcachetable

seed: migrate
	DJANGO_SETTINGS_MODULE=trialoog.settings.local $(BIN)/python manage.py seed_demo

## Build, migrate and seed the example day, then serve it with daphne.
demo: seed
	@echo "Trialoog draait op http://$(HOST):$(PORT)/  (stoppen: Ctrl+C)"
	DJANGO_SETTINGS_MODULE=trialoog.settings.local $(BIN)/daphne -b $(HOST) -p $(PORT) trialoog.asgi:application

## Run the whole suite on a real PostgreSQL, Redis and Chromium it starts itself, after the client's unit tests.
test: venv services test-js
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## The live client's unit tests (static/js/room/), under Node's own test runner; no npm packages.
test-js: services
	node --test tests/js/*.test.mjs

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Benchmarks that print numbers (each starts its own PostgreSQL/Redis). The live-room one takes ~8 minutes.
bench: venv services
	$(BIN)/python bench/signup.py
	$(BIN)/python bench/export.py

bench-live: venv services
	$(BIN)/python bench/live_room.py --clients 2000

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
