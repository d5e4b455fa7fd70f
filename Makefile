# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` keeps its SQLite file in var/ unless INVOLVE_DATABASE_URL says otherwise.
RUN_DATABASE_URL ?= $(or $(INVOLVE_DATABASE_URL),sqlite:///./var/involve.db)

.PHONY: install run test test-web web openapi openapi-check lint clean bench bench-reads fault

# The web client (clients/web): npm ci when the lock changes, vite build when its sources change.
WEB := clients/web
WEB_DEPS := $(WEB)/node_modules/.installed-stamp
WEB_BUILD := $(WEB)/dist/.built-stamp
WEB_SOURCES := $(shell find $(WEB)/src $(WEB)/public -type f 2>/dev/null) \
	$(WEB)/index.html $(WEB)/vite.config.ts $(WEB)/tsconfig.json $(WEB)/package.json

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(WEB_DEPS): $(WEB)/package-lock.json $(WEB)/package.json
	cd $(WEB) && npm ci --no-audit --no-fund
	touch $@

$(WEB_BUILD): $(WEB_DEPS) $(WEB_SOURCES)
	cd $(WEB) && npm run build
	touch $@

web: $(WEB_BUILD)

run: install web
	mkdir -p var
	INVOLVE_DATABASE_URL=$(RUN_DATABASE_URL) $(BIN)/involve migrate
	INVOLVE_DATABASE_URL=$(RUN_DATABASE_URL) $(BIN)/involve demo
	INVOLVE_DATABASE_URL=$(RUN_DATABASE_URL) $(BIN)/involve serve --host $(HOST) --port $(PORT)

# SQLite by default; PostgreSQL when INVOLVE_TEST_DATABASE_URL is set.
test: install
	$(BIN)/pytest
	@if [ -n "$(WEB_TESTS)" ]; then $(MAKE) --no-print-directory test-web; fi

# Vitest, the production build (with its JS budget), then Playwright in Debian's chromium against a
# real API on a temporary SQLite database (clients/web/e2e/run.mjs).
test-web: install $(WEB_DEPS)
	cd $(WEB) && npx vitest run
	$(MAKE) --no-print-directory web
	cd $(WEB) && node e2e/run.mjs

openapi: install $(WEB_DEPS)
	$(BIN)/involve openapi --output openapi/openapi.json
	cd $(WEB) && npm run --silent openapi

# Both the spec and the web client's generated types must match the code.
openapi-check: install $(WEB_DEPS)
	@$(BIN)/involve openapi | diff -q openapi/openapi.json - >/dev/null \
		|| { echo "openapi/openapi.json differs from the code: run 'make openapi'"; exit 1; }
	@cd $(WEB) && npx openapi-typescript ../../openapi/openapi.json --default-non-nullable false 2>/dev/null \
		| diff -q src/api/schema.d.ts - >/dev/null \
		|| { echo "clients/web/src/api/schema.d.ts is stale: run 'make openapi'"; exit 1; }

lint: install
	$(BIN)/ruff check .

# The benchmarks (never part of `make test`): import and export on PostgreSQL (127.0.0.1:5432, user postgres, trust)
# and SQLite, then the list and read-by-id load on PostgreSQL; each script drops and creates its own database.
# Figures: bench/README.md.
BENCH_POSTGRES ?= postgresql://postgres@127.0.0.1:5432/involve_bench
bench: install
	$(BIN)/python bench/import_export.py --postgres $(BENCH_POSTGRES)
	$(BIN)/python bench/reads.py --peer --postgres $(BENCH_READS_POSTGRES)

# Fault tests (never part of `make test`): a private PostgreSQL (initdb/pg_ctl) stopped under load, the pool
# exhausted, SIGTERM mid-request, an import cut off and retried; about a minute and a half. See tests/fault/run.py.
fault: install
	$(BIN)/python tests/fault/run.py

# List and by-id read throughput over 100,000 stakeholders on PostgreSQL, driven by wrk (apt-get install wrk).
BENCH_READS_POSTGRES ?= postgresql://postgres@127.0.0.1:5432/involve_bench_reads
bench-reads: install
	$(BIN)/python bench/reads.py --peer --postgres $(BENCH_READS_POSTGRES)

clean:
	rm -rf $(VENV) var .pytest_cache $(WEB)/node_modules $(WEB)/dist
