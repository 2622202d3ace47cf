# qmsdata — set-up and everyday commands. `make demo` and `make test` work from a fresh clone
# on a machine with only python3 (3.11+); everything else is installed from requirements.lock.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
STAMP := $(VENV)/.installed
PERIOD ?= 2026-10
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: help setup chromium java demo test test-fast lab lint bench lock clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "qmsdata needs Python 3.11+ (found: $$($(PYTHON) --version))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m compileall -q -j 0 qmsdata >/dev/null
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

setup: $(STAMP) chromium java  ## create .venv and install the locked packages (Chromium, Java)

# Chromium prints the PDF pack and runs the browser test. Installed with apt where we can
# (root on Debian); elsewhere the HTML pack still builds and `qms pack` says why the PDF was skipped.
chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian chromium and poppler-utils (for PDF packs)"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; } \
	  || echo "warning: apt could not install chromium; PDF packs and the browser test will be skipped"; \
	else echo "note: chromium not found and apt not usable; PDF packs will be skipped"; fi

# Java runs the local Spark of the Spark engine and its tests (PySpark itself is in the lock file).
# Installed with apt where we can (root on Debian); elsewhere the Spark tests are skipped.
java:
	@if command -v java >/dev/null 2>&1 || [ -x "$${JAVA_HOME:-/nonexistent}/bin/java" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian default-jre-headless (Java for the Spark engine)"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; } \
	  || echo "warning: apt could not install Java; the Spark engine and its tests will be skipped"; \
	else echo "note: java not found and apt not usable; install Java 17+ for the Spark engine (its tests are skipped)"; fi

demo: setup  ## generate the demo workbook into data/demo and build its review pack
	$(BIN)/qms demo data/demo --end $(PERIOD)
	$(BIN)/qms pack data/demo --period $(PERIOD) --out reports --jobs $(JOBS)
	@echo "open reports/$(PERIOD)/pack.html (check it with: $(BIN)/qms verify reports/$(PERIOD))"

test: setup  ## run the whole test suite
	$(BIN)/python -m pytest -n 2 --dist loadgroup

test-fast: setup  ## run the tests without the slow notebook/pack tests
	$(BIN)/python -m pytest -n 2 -m "not slow"

lab: setup  ## open JupyterLab on notebooks/
	$(BIN)/jupyter lab notebooks/

lint: setup  ## ruff and mypy
	$(BIN)/ruff check qmsdata tests benchmarks
	$(BIN)/ruff format --check qmsdata tests benchmarks
	$(BIN)/mypy qmsdata

bench: setup  ## run the benchmarks (prints figures and ratios)
	@for b in benchmarks/*.py; do case $$b in *fleet_data.py) continue;; esac; \
	  echo "== $$b"; $(BIN)/python $$b || exit 1; done

lock:  ## re-resolve requirements.lock from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

clean:  ## remove generated data and reports (raw workbooks you added are kept)
	rm -rf data/demo reports/* .pytest_cache
