# ClinicMatch: `make run` serves the site with a worker; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
export FLASK_APP := agency.wsgi
# Some machines set PYTHONDONTWRITEBYTECODE: then every process (the server, the worker, each
# test worker) compiles every module it imports from source again, seconds per start. Caches
# written inside this checkout (__pycache__ is ignored by git) are read back by the next start.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install install-runtime run run-stack test lint test-fast e2e-browser e2e-deps bench clean migrate

# Everything: the site's packages and the tools `make test` uses.
install: $(DEV_STAMP)
# The site's packages only: what `make run` needs (the test and lint tools are a third of the download).
install-runtime: $(RUN_STAMP)

# uv fetches and installs in parallel (about 15 s from an empty cache, pip takes minutes);
# plain pip is the fallback when uv cannot be had. $(1) is what to install.
define pip_install
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@if $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt uv \
	    && $(BIN)/uv pip install --quiet --python $(BIN)/python -c constraints.txt -e '$(1)'; then \
	  true; \
	else \
	  echo "uv could not install the packages: installing with pip (slower)..."; \
	  $(BIN)/python -m pip install --quiet --upgrade pip && \
	  $(BIN)/python -m pip install --quiet -c constraints.txt -e '$(1)'; \
	fi
endef

$(RUN_STAMP): pyproject.toml constraints.txt
	$(call pip_install,.)
	@touch $@

$(DEV_STAMP): $(RUN_STAMP)
	$(call pip_install,.[dev])
	@touch $@

migrate: install-runtime
	$(BIN)/flask db upgrade
	$(BIN)/flask sync-taxonomy

# One `flask` process for migrations, taxonomy and demo data (each start costs seconds).
run: install-runtime
	$(BIN)/flask prepare --demo
	@scripts/run-embedded

run-stack: migrate
	$(BIN)/flask seed-demo --if-empty
	@scripts/run-stack

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy matching agency workers
	$(BIN)/lint-imports
	$(BIN)/bandit -c pyproject.toml -r agency matching workers scripts --severity-level high -q
	$(BIN)/python scripts/audit_deps.py

e2e-browser:
	@scripts/ensure-browser

# axe-core (pinned in tests/e2e/package-lock.json) is injected into every page the browser tests
# open; it is installed here so the tests never fetch anything.
AXE := tests/e2e/node_modules/axe-core/axe.min.js
e2e-deps: $(AXE)

$(AXE): tests/e2e/package.json tests/e2e/package-lock.json
	@scripts/ensure-e2e-deps
	@if [ -f $@ ]; then touch $@; fi

# xdist's default distribution: any two tests may run side by side (each xdist worker has its
# own databases and SMTP sink; a Celery test its own queue and worker processes). No
# `xdist_group` marks: pytest-xdist 3.8 ignores them under pytest 9.2
# (pytest-dev/pytest-xdist#1386), and the suite passed in CI without them.
test: install lint e2e-browser e2e-deps
	$(BIN)/pytest -n 2

test-fast: install
	$(BIN)/pytest -n 2 -m "not e2e and not slow"

# Every benchmark, each bounded (timeout); the scale ones need PostgreSQL on 127.0.0.1 and wrk.
bench: install
	timeout 600 $(BIN)/python -m matching bench
	timeout 600 $(BIN)/python bench/bench_seed.py --backend sqlite
	timeout 600 $(BIN)/python bench/bench_seed.py --backend postgresql
	timeout 600 $(BIN)/python bench/bench_rescore.py
	timeout 600 $(BIN)/python bench/bench_web.py --backend sqlite --duration 30
	timeout 600 $(BIN)/python bench/bench_web.py --backend postgresql --duration 30
	timeout 600 $(BIN)/python bench/bench_outbox.py --n 2000
	timeout 900 $(BIN)/python bench/bench_shifts.py --backend postgresql

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache tests/e2e/artifacts
