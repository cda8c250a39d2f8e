PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Stamps: each install runs once, and again after pyproject.toml changes. `make run` needs only
# the service; the test and lint tools (`.[dev]`) come with `make test` and `make lint`.
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed
# The TypeScript SDK's packages, for its tests: installed once, again when its lockfile changes.
TS_SDK := clients/typescript
NPM_CI := $(TS_SDK)/node_modules/.npm-ci-done

.PHONY: run test lint sandbox clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# tikpost depends on the SDK in clients/python; it is then made editable, so changes to it are
# what the CLI and the tests run (pip refuses both at once: one name, two sources).
SDK := $(BIN)/pip install --quiet --no-deps -e ./clients/python

$(RUNTIME): pyproject.toml clients/python/pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(SDK)
	touch $@

# The dev extras include the runtime, so its stamp is renewed too.
$(DEV): pyproject.toml clients/python/pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	$(SDK)
	touch $@ $(RUNTIME)

$(NPM_CI): $(TS_SDK)/package-lock.json
	cd $(TS_SDK) && npm ci --no-audit --no-fund
	touch $@

run: $(RUNTIME)
	$(BIN)/tikpost serve --host $(HOST) --port $(PORT)

sandbox: $(RUNTIME)
	$(BIN)/tikpost sandbox --host $(HOST) --port 9000

# Tests run in parallel processes (pytest-xdist): each starts its own PostgreSQL, S3 and
# Redis servers, so two to four workers are what a small machine gains from. (Three on two
# CPUs ran 19 min against 22, but once let a fencing test run past its 120 s timeout: the
# crash and takeover tests need the headroom.) A file's tests stay on one worker (loadfile),
# so a module's server (dashboard, SDKs) starts once, not once per worker. Files go out in the
# order tests/conftest.py sorts them, the long system tests first: xdist's own order (most
# tests first) left the two-test, two-minute scale-out file to the end, one worker idle ~50 s.
test: $(DEV) $(NPM_CI)
	$(BIN)/pytest --numprocesses=auto --maxprocesses=4 --dist=loadfile --no-loadscope-reorder \
		--durations=25

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
