# Easel: `make run` starts the studio, `make test` runs lint and the whole test suite.
# Both create .venv and install what they need themselves: `make run` the runtime
# dependencies only, `make test` (and `make install`) the dev extra as well (test and lint
# tools, and the vendors' SDKs the fidelity tests compare Easel's requests with).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
RUNTIME_STAMP := $(VENV)/.runtime-stamp
# Byte code compiled at install: the first `easel` command starts as fast as the next.
UV_INSTALL = $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -c constraints.txt
DATA_DIR ?= easel-data
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install run test lint format lock bench clean

$(BIN)/uv:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv>=0.4"

$(RUNTIME_STAMP): pyproject.toml constraints.txt | $(BIN)/uv
	$(UV_INSTALL) -e .
	touch $(RUNTIME_STAMP)

$(STAMP): pyproject.toml constraints.txt | $(BIN)/uv
	$(UV_INSTALL) -e ".[dev]"
	touch $(STAMP) $(RUNTIME_STAMP)

install: $(STAMP)

run: $(RUNTIME_STAMP)
	EASEL_DATA_DIR=$(DATA_DIR) $(BIN)/easel db upgrade
	EASEL_DATA_DIR=$(DATA_DIR) $(BIN)/easel serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# Easel's own byte code too: the tests start many server processes, and where
# PYTHONDONTWRITEBYTECODE is set each would compile every module again.
test: lint
	$(BIN)/python -m compileall -q src
	$(BIN)/pytest $(PYTEST_ARGS)

format: install
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

# Re-pin every dependency after changing pyproject.toml.
lock: install
	$(BIN)/uv pip compile --quiet pyproject.toml --extra dev -o constraints.txt

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
