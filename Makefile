PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint sandbox clean

$(BIN)/tikpost: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/tikpost

run: $(BIN)/tikpost
	$(BIN)/tikpost serve --host $(HOST) --port $(PORT)

sandbox: $(BIN)/tikpost
	$(BIN)/tikpost sandbox --host $(HOST) --port 9000

# Tests run in parallel processes (pytest-xdist): each starts its own PostgreSQL, S3 and
# Redis servers, so two to four workers are what a small machine gains from.
test: $(BIN)/tikpost
	$(BIN)/pytest --numprocesses=auto --maxprocesses=4

lint: $(BIN)/tikpost
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
