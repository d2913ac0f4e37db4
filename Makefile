# Survivor's Justice: the two set-up commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint typecheck pytest serve clean vendor

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

## vendor: front-end assets from the npm registry (USWDS, htmx; axe-core for the tests) into var/vendor
VENDOR := var/vendor/.installed
$(VENDOR): package.json package-lock.json
	npm ci --no-audit --no-fund
	rm -rf var/vendor && mkdir -p var/vendor/uswds var/vendor/htmx
	cp -r node_modules/@uswds/uswds/dist/{css,fonts,img,js} var/vendor/uswds/
	cp node_modules/htmx.org/dist/htmx.min.js var/vendor/htmx/
	touch $@
vendor: $(VENDOR)

## run: install, migrate the SQLite store, import the bundled sample, serve on http://127.0.0.1:8000
# The bundled sample is December 2017: intake opens cases for Queens arrests from then on.
run: export SJ_INTAKE_START ?= 2017-12-01
run: $(VENV)/.installed $(VENDOR)
	$(BIN)/sj db upgrade
	$(BIN)/sj import arrests data/nypd/arrests-2017-12.csv
	$(BIN)/sj import arrests data/nypd/prostitution-arrests-2006-2016.csv
	$(BIN)/sj demo
	$(BIN)/sj screen --db -o var/screening.csv
	$(BIN)/sj serve --host 127.0.0.1 --port 8000

## test: ruff, mypy, import contracts, then pytest on SQLite and on a throwaway PostgreSQL
test: $(VENV)/.installed-test lint typecheck pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy src

# The kill tests (an import of 300,000 rows killed three times) use both cores themselves and time
# their kills by the import's progress, so they run as a step of their own, beside nothing else.
pytest: $(VENV)/.installed-test $(VENDOR)
	SJ_ENV=test $(BIN)/pytest -n 2 --dist loadfile -m "not kill"
	SJ_ENV=test $(BIN)/pytest -m kill -rA
	SJ_ENV=test scripts/with-postgres.sh $(BIN)/pytest -n 2 --dist loadfile -m "django_db and not browser and not fuzz and not kill"

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache test-artifacts
