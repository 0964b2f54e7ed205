# The README's commands. Each installs what is missing first.
SHELL := /bin/bash
PY := .venv/bin/python
export RASA_TELEMETRY_ENABLED := false

.PHONY: install env run backend train eval test lint bench

install:
	@scripts/install.sh

env: install
	@$(PY) -c "from backend.settings import ensure_env_file; ensure_env_file()"

# Backend, action server and Rasa on 127.0.0.1; trains first when the data changed.
run: env
	$(PY) -m bot.launch

# The backend alone (no assistant), e.g. for API work.
backend: env
	DEMO_DATA=$${DEMO_DATA:-1} $(PY) -m backend

train: install
	$(PY) -m bot.model_cache

eval: install
	$(PY) -m scripts.eval_nlu

test: env
	$(PY) -m ruff check backend bot actions tests scripts glossary
	$(PY) -m pytest -q

lint: install
	$(PY) -m ruff check backend bot actions tests scripts glossary

bench: install
	$(PY) -m scripts.bench
