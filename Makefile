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

test: $(BIN)/tikpost
	$(BIN)/pytest

lint: $(BIN)/tikpost
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
