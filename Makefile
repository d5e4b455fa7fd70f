# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` keeps its SQLite file in var/ unless INVOLVE_DATABASE_URL says otherwise.
RUN_DATABASE_URL ?= $(or $(INVOLVE_DATABASE_URL),sqlite:///./var/involve.db)

.PHONY: install run test openapi openapi-check lint clean bench bench-reads fault

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	mkdir -p var
	INVOLVE_DATABASE_URL=$(RUN_DATABASE_URL) $(BIN)/involve migrate
	INVOLVE_DATABASE_URL=$(RUN_DATABASE_URL) $(BIN)/involve demo
	INVOLVE_DATABASE_URL=$(RUN_DATABASE_URL) $(BIN)/involve serve --host $(HOST) --port $(PORT)

# SQLite by default; PostgreSQL when INVOLVE_TEST_DATABASE_URL is set.
test: install
	$(BIN)/pytest

openapi: install
	$(BIN)/involve openapi --output openapi/openapi.json

openapi-check: install
	@$(BIN)/involve openapi | diff -q openapi/openapi.json - >/dev/null \
		|| { echo "openapi/openapi.json differs from the code: run 'make openapi'"; exit 1; }

lint: install
	$(BIN)/ruff check .

# Import/export benchmark (never part of `make test`): PostgreSQL at 127.0.0.1:5432 (user postgres, trust),
# where it drops and creates its own database, then SQLite. Figures: bench/README.md.
BENCH_POSTGRES ?= postgresql://postgres@127.0.0.1:5432/involve_bench
bench: install
	$(BIN)/python bench/import_export.py --postgres $(BENCH_POSTGRES)

# Fault tests (never part of `make test`): a private PostgreSQL (initdb/pg_ctl) stopped under load, the pool
# exhausted, SIGTERM mid-request, an import cut off and retried; about a minute and a half. See tests/fault/run.py.
fault: install
	$(BIN)/python tests/fault/run.py

# List and by-id read throughput over 100,000 stakeholders on PostgreSQL, driven by wrk (apt-get install wrk).
BENCH_READS_POSTGRES ?= postgresql://postgres@127.0.0.1:5432/involve_bench_reads
bench-reads: install
	$(BIN)/python bench/reads.py --postgres $(BENCH_READS_POSTGRES)

clean:
	rm -rf $(VENV) var .pytest_cache
