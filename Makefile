# Sổ tay đảng viên điện tử — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
WORKERS ?= 3
# DEMO=0 make run: a production start that never seeds the demo accounts (their passwords are
# published); create the first administrator with `flask create-admin USERNAME`.
DEMO ?= 1
export FLASK_APP := app:create_app

.PHONY: run dev cluster cluster-stop test test-fast chromium lint format translations translations-update setup db clean

$(BIN)/flask: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(BIN)/flask

setup: $(BIN)/flask translations

translations: $(BIN)/flask
	$(BIN)/pybabel -q compile -d translations

translations-update: $(BIN)/flask
	$(BIN)/flask translate update

db: setup
	$(BIN)/flask db upgrade
ifneq ($(DEMO),0)
	$(BIN)/flask seed-demo
endif
	$(BIN)/flask handbook import content/handbook
	$(BIN)/flask assistant import content/assistant

## Serve the app with demo data on http://127.0.0.1:$(PORT) with gunicorn.
## --timeout 120: issuing 2.000 accounts with their slips PDF takes ~11 s on an idle 2-core
## machine and several times that under load; gunicorn's default 30 s would kill the worker
## (nothing is written then, but the staff member sees an error).
## The background-job consumer (imports, nightly backup, housekeeping) runs beside gunicorn
## and stops with it.
run: db
	@$(BIN)/flask jobs worker & consumer=$$!; \
	trap 'kill $$consumer 2>/dev/null; wait $$consumer 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --workers $(WORKERS) --timeout 120 --bind 127.0.0.1:$(PORT) --access-logfile - "app:create_app()"

## The scaled-out form on loopback (deploy/cluster.py): PostgreSQL database sotay_cluster,
## Redis, two gunicorn hosts (8111, 8112) behind nginx+nchan (http://127.0.0.1:8101 and :8102).
cluster: setup
	$(BIN)/python deploy/cluster.py start

cluster-stop:
	$(BIN)/python deploy/cluster.py stop

## Debug server with reloading.
dev: db
	$(BIN)/flask --debug run --port $(PORT)

## Debian's Chromium for the browser tests (Playwright's own download cannot work here): installed
## with apt when missing and we are root; otherwise stop with the one command to run.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Chromium from Debian for the browser tests…"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else \
	    echo "Chromium is missing: run  sudo apt-get install -y chromium  then make test again." >&2; \
	    exit 1; \
	  fi; }

## The whole suite, browser tests included, after the same checks as `make lint`.
test: setup chromium lint
	$(BIN)/python -m pytest -q

## Everything except the browser tests.
test-fast: setup
	$(BIN)/python -m pytest -q -m "not browser"

## Style, formatting, and the import contracts of pyproject.toml (dependencies run one way).
lint: $(BIN)/flask
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(BIN)/flask
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) instance translations/*/LC_MESSAGES/*.mo
