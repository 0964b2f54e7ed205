# The README's commands. Each installs what is missing first.
SHELL := /bin/bash
PY := .venv/bin/python
export RASA_TELEMETRY_ENABLED := false

.PHONY: install env run backend train eval cv test lint bench fuzz backup restore wording

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

# NLU on the development set (tests/nlu/dev) and the test set (tests/nlu/test), against
# a character n-gram baseline trained on the same data: reports/nlu_eval.md.
eval: install
	$(PY) -m scripts.eval_nlu

# Choosing pipeline settings: cross-validation on data/nlu only (never dev or test),
# pipeline and baseline on the same folds: reports/nlu_cv.md. `make cv CONFIG=other.yml`.
CONFIG ?= config.yml
cv: install
	nice $(PY) -m scripts.cv_nlu --config $(CONFIG) --folds 5

test: env
	$(PY) -m ruff check backend bot actions tests scripts glossary
	$(PY) -m pytest -q

lint: install
	$(PY) -m ruff check backend bot actions tests scripts glossary

bench: install
	$(PY) -m scripts.bench

# A consistent copy of the database (SQLite's backup API, or pg_dump on PostgreSQL) in var/backups;
# `make restore FILE=var/backups/…` puts one back (stop the backend first). backend/backup.py.
backup: env
	$(PY) -m backend.backup create

restore: env
	$(PY) -m backend.backup restore $(FILE)

# Hostile input at scale (issue #9): schemathesis on every operation of the OpenAPI document and
# hypothesis on the channels (WeChat, IVR calls, the form, the chat socket), 10,000 cases each
# with a random seed, against a live backend; reports/fuzz.md. `make test` runs the same tests
# with 200 cases each and a fixed seed. FUZZ_SEED replays a run, FUZZ_CASES changes the count,
# FUZZ_DATABASE=postgres runs on the machine's PostgreSQL. Hours, not minutes: not part of CI.
# FUZZ_RESUME=1 goes on where an earlier run stopped (reports/fuzz.json); FUZZ_SHARD=1/2 and
# FUZZ_SHARD=2/2, started side by side, split it over two cores.
fuzz: env
	FUZZ_PROFILE=campaign $(PY) -m pytest -q tests/backend/fuzz

# Every sentence a customer reads or hears, for review: docs/customer-wording.md (from domain.yml,
# glossary/replies/, glossary/wording.py and backend/web/*_wording.py). Run it after rewording.
wording: install
	$(PY) -m scripts.wording_sheet
