# campwiki: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
export FLASK_APP := wsgi

.PHONY: run test install install-dev lint format migrate check-migrations bench clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv

# Installs are re-run only when the dependency lists change.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml constraints.txt | $(BIN)/uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -c constraints.txt -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/flask db upgrade

run: migrate
	$(BIN)/flask seed-demo
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: install-dev
	$(BIN)/ruff check wiki tests bench migrations/env.py wsgi.py
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check wiki tests bench migrations/env.py wsgi.py
	$(BIN)/ruff format --check wiki tests bench

format: install-dev
	$(BIN)/ruff check --fix wiki tests bench
	$(BIN)/ruff format wiki tests bench

check-migrations: migrate
	$(BIN)/flask db check

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
