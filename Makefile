# The two commands a newcomer needs: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
PYTHON_VERSION := $(shell cat .python-version)
PYTHON ?= $(shell command -v python$(PYTHON_VERSION) || echo python$(PYTHON_VERSION))
VENV := .venv
BIN := $(VENV)/bin
# Use only the registry and hashes from our lock files, not this machine's pip configuration.
PIP := PIP_CONFIG_FILE=/dev/null $(BIN)/python -m pip --disable-pip-version-check --no-input
export INTERLUDE_DATA_DIR ?= $(CURDIR)/var

# The browser tests drive Debian's Chromium; Playwright does not download a browser here.
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test suite lint layers typecheck security format lock install install-dev check-python check-chromium bench clean

check-python:
	@$(PYTHON) -c 'import sys; v="$(PYTHON_VERSION)"; sys.exit(0 if sys.version.startswith(v) else "Interlude needs Python " + v + " (see .python-version); found " + sys.version)' \
	  || { echo "Python $(PYTHON_VERSION) is required: install it (e.g. with pyenv) and try again."; exit 1; }

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: requirements.lock | $(BIN)/python
	$(PIP) install -q --require-hashes -r requirements.lock
	@touch $@

$(VENV)/.installed-dev: requirements-dev.lock | $(BIN)/python
	$(PIP) install -q --require-hashes -r requirements-dev.lock
	@touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run
install-dev: $(VENV)/.installed-dev

## make run: migrate, seed the demo, serve web + task worker on http://127.0.0.1:$${PORT:-8000}
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py collectstatic --noinput -v 0
	@if [ "$${INTERLUDE_ENV:-}" != "production" ]; then $(BIN)/python manage.py seed_demo; fi
	exec $(BIN)/python manage.py serve

## make test: lint, types and the whole test suite (SQLite, or PostgreSQL via DATABASE_URL)
test: install-dev lint typecheck suite

# The test suite alone (CI's second database pass; lint and types do not depend on the database).
suite: install-dev check-chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Says what is missing rather than failing: without Chromium the browser tests skip (CI forbids it).
check-chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "Chromium is not installed ($(CHROMIUM) is missing): the browser tests (tests/e2e/) will be skipped."; \
	  echo "To run them, install it once: sudo apt-get install chromium"; \
	fi

lint: install-dev layers
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The floors of ARCHITECTURE.md ("Import rules"): import-linter's contracts in pyproject.toml.
layers: install-dev
	$(BIN)/lint-imports --no-cache --no-logo

typecheck: install-dev
	$(BIN)/mypy interlude config

## make bench: the benchmark suite against its floors (bench/suite.py); BENCH_ARGS="--quick" for a short run
bench: install-dev
	$(BIN)/python -m bench $(BENCH_ARGS)

## make security: bandit, Django's deploy checks under production settings, pip-audit (see scripts/security.sh)
security: install-dev
	scripts/security.sh

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## make lock: re-resolve the pinned, hashed dependency locks from pyproject.toml (needs uv)
lock:
	uv pip compile pyproject.toml --generate-hashes --python-version $(PYTHON_VERSION) --no-header -o requirements.lock
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version $(PYTHON_VERSION) --no-header -o requirements-dev.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
