# The two commands: `make demo` and `make test`. Everything else is a helper of theirs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FK := $(BIN)/fangkong
DEMO_SCALE ?= 0.02
DEMO_SEED ?= 1
PG_URL ?= postgres://postgres@127.0.0.1:5432/fangkong
export FANGKONG_VAR_DIR ?= $(CURDIR)/var

.PHONY: demo test install messages messages-update check lint test-sqlite test-postgres bench serve

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

messages: install
	$(FK) catalogue compile

messages-update: install
	$(FK) catalogue update

demo: messages
	$(FK) migrate --noinput
	$(FK) seed-city --scale $(DEMO_SCALE) --seed $(DEMO_SEED) --if-empty
	$(FK) demo-users
	$(FK) simulate shuozhou-2022-11 --if-absent
	$(FK) demo-testing --if-absent
	$(FK) demo-tracing --if-absent
	$(FK) runserver --insecure 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .

check: messages
	$(FK) makemigrations --check --dry-run
	$(FK) catalogue check
	$(BIN)/ruff check .

test-sqlite: messages
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: messages
	@if $(BIN)/python -m fangkong.lib.pgcheck "$(PG_URL)"; then \
		DATABASE_URL="$(PG_URL)" $(BIN)/pytest $(PYTEST_ARGS); \
	elif [ "$$FANGKONG_REQUIRE_POSTGRES" = "1" ]; then \
		echo "PostgreSQL is not reachable at $(PG_URL) and FANGKONG_REQUIRE_POSTGRES=1"; exit 1; \
	else \
		echo "PostgreSQL is not reachable at $(PG_URL): the PostgreSQL run is skipped"; \
	fi

test: check test-sqlite test-postgres

bench: install
	$(BIN)/python bench/seed_city.py --scale 0.05
