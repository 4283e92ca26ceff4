# Renkei — `make run` and `make test` do all set-up on a machine with Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test interop lint format openapi openapi-check deploy-check bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,embedded]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/renkei migrate
	$(BIN)/renkei serve

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/renkei openapi --check
	$(BIN)/pytest

# The FIWARE IoT Agent against Renkei on both stores (Node.js, Mosquitto, PostgreSQL; also part of
# `make test`). Its npm packages are installed on first run from tests/interop/package-lock.json.
interop: $(STAMP)
	$(BIN)/pytest -q tests/interop

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

openapi: $(STAMP)
	$(BIN)/renkei openapi

openapi-check: $(STAMP)
	$(BIN)/renkei openapi --check

# The compose file, Dockerfile and Helm chart, by the validators in [dev] (also part of `make test`)
deploy-check: $(STAMP)
	$(BIN)/pytest -q tests/deploy

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache tests/interop/node_modules tests/interop/.filip
