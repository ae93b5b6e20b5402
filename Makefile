# Two commands: `make run` (demo on http://127.0.0.1:5000, its OpenID provider on :5001) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
OIDC_PORT ?= 5001
DEMO_ENV := STAFETTLOGG_DEMO=1

.PHONY: run test test-sqlite test-postgres test-browser lint venv clean bench

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

run: venv
	$(DEMO_ENV) $(BIN)/flask --app app migrate
	$(DEMO_ENV) $(BIN)/flask --app app seed-demo --if-empty
	@# with a local OpenID provider as "ID-porten (test)" and the staff provider (README)
	$(DEMO_ENV) $(BIN)/python -m stafettlogg.oidc.demo_provider --port $(PORT) --provider-port $(OIDC_PORT)

# The whole suite on SQLite; under CI=true (or with TEST_POSTGRES_URL set) the database
# and permission tests again on PostgreSQL; the browser tests once in Debian's chromium.
test: venv
	$(BIN)/ruff check . && $(BIN)/ruff format --check .
	$(BIN)/pytest -q -n 2 -m "not browser" tests
	@if [ -n "$$TEST_POSTGRES_URL" ]; then \
		echo "== PostgreSQL: database and permission tests"; \
		TEST_DATABASE_URL="$$TEST_POSTGRES_URL" $(BIN)/pytest -q -n 2 -m "db and not browser" tests || exit 1; \
	elif [ "$$CI" = "true" ]; then \
		echo "CI=true but TEST_POSTGRES_URL is not set: the PostgreSQL run must not be skipped"; exit 1; \
	else \
		echo "== PostgreSQL run skipped (set TEST_POSTGRES_URL=postgresql://... to run it)"; \
	fi
	@if [ -x /usr/bin/chromium ]; then \
		echo "== Browser tests (headless chromium)"; \
		$(BIN)/pytest -q -n 2 -m browser tests/browser || exit 1; \
	elif [ "$$CI" = "true" ]; then \
		echo "CI=true but /usr/bin/chromium is missing: browser tests must not be skipped"; exit 1; \
	else \
		echo "== Browser tests skipped (apt-get install chromium to run them)"; \
	fi

lint: venv
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache

# The benchmark (README "Ytelse"); never part of `make test`. Options after BENCH_ARGS=,
# e.g. `make bench BENCH_ARGS="--database postgresql --logs 10000"`.
BENCH_ARGS ?= --database sqlite --logs 10000 --clients 8 --duration 10
bench: venv
	$(BIN)/python -m bench $(BENCH_ARGS)
