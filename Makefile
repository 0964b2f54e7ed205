# The README's commands. `make run` and `make test` install what is missing first.
SHELL := /bin/bash
PY := .venv/bin/python
export RASA_TELEMETRY_ENABLED := false

.PHONY: install run backend test lint bench env

install:
	@scripts/install.sh

env:
	@$(PY) -c "from backend.settings import ensure_env_file; ensure_env_file()"

# Until the assistant (issue #3) lands, the backend is the only process.
run: install env
	DEMO_DATA=$${DEMO_DATA:-1} $(PY) -m backend

backend: run

test: install
	$(PY) -m ruff check backend tests scripts
	$(PY) -m pytest -q

lint: install
	$(PY) -m ruff check backend tests scripts

bench: install
	$(PY) -m scripts.bench
