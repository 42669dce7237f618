# SimpleStore: `make run` serves the demo shop, `make test` runs the whole suite (SQLite, then
# PostgreSQL).
PYTHON ?= python3
PORT ?= 5000
export PIPENV_VENV_IN_PROJECT := 1
export PIPENV_VERBOSITY := -1
export PIPENV_NOSPIN := 1
PIPENV := $(PYTHON) -m pipenv
VENV := .venv/bin
FLASK := $(VENV)/flask --app app

.PHONY: install build css js translations db run serve worker test test-sqlite test-postgres lint audit bench clean

# Python packages from Pipfile.lock (pipenv itself is installed when missing).
.venv/.installed: Pipfile.lock
	@$(PIPENV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet pipenv
	$(PIPENV) install --dev --deploy
	@touch $@

install: .venv/.installed

css: install
	$(VENV)/python -m store.dev.assets

translations: install
	$(VENV)/pybabel compile -d translations

# The storefront's Vue islands: npm ci when node_modules is missing or the lock changed, then
# Vite builds frontend/ into static/dist/ (with the manifest the templates read).
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

static/dist/.vite/manifest.json: node_modules/.package-lock.json vite.config.js $(shell find frontend -type f 2>/dev/null)
	npx vite build

js: static/dist/.vite/manifest.json
	@node frontend/sizes.mjs

build: css translations js

# Create or upgrade the schema, then seed the demo shop if it is empty.
db: build
	@mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) seed

run: db
	PORT=$(PORT) $(VENV)/python -m store.dev.server

# Production-style serving: gunicorn with gunicorn.conf.py (workers from the CPU count), after
# bringing the database to the current migration. The outbox worker and the unpaid-order
# expiry run beside it as their own processes (see the Procfile): `make worker`.
serve: build
	@mkdir -p instance
	$(FLASK) db upgrade
	PORT=$(PORT) $(VENV)/gunicorn -c gunicorn.conf.py app:app

worker: install
	$(FLASK) outbox worker --interval 5 & $(FLASK) orders expire-unpaid --every 60; wait

# The whole suite twice, in two processes each (TEST_WORKERS): on SQLite, then with every
# test's app on a PostgreSQL database of its own (tests about SQLite itself are skipped).
# Both passes run; either failing, or collecting nothing, fails. PYTEST_ARGS is passed on.
test: build
	bash scripts/ensure-system.sh
	@status=0; \
	bash scripts/test-pass.sh sqlite $(PYTEST_ARGS) || status=1; \
	bash scripts/test-pass.sh postgres $(PYTEST_ARGS) || status=1; \
	exit $$status

test-sqlite: build
	bash scripts/ensure-system.sh
	bash scripts/test-pass.sh sqlite $(PYTEST_ARGS)

test-postgres: build
	bash scripts/ensure-system.sh
	bash scripts/test-pass.sh postgres $(PYTEST_ARGS)

lint: install
	$(VENV)/ruff check .

# Known vulnerabilities with a fix in the locked packages fail the build (scripts/audit.py).
audit: install
	$(VENV)/python scripts/audit.py

# The shop over HTTP (gunicorn, production configuration) beside a bare Flask app: wrk is
# installed when missing (apt-get, as root). Method and figures: bench/README.md.
bench: build
	$(VENV)/python -m bench

clean:
	rm -rf .venv static/css static/dist node_modules instance/store.db*
