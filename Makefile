# Guichet — `make help` lists the targets.
# The two commands of the README: `make run` and `make test`.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
ONLY ?=
# The role the application connects as when DATABASE_URL (the owner's) selects PostgreSQL.
RUNTIME_ROLE ?= guichet_app
# Passed to pytest, e.g. make test PYTEST_ARGS="-k deadline"
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help run setup browser-deps mail-deps deploy-deps data test lint format typecheck migrations-check unit install-check bench faults lock clean messages

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): requirements.lock pyproject.toml
	@bash scripts/ensure-python-venv.sh "$(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@bash scripts/ensure-system-libs.sh $(BIN)/python
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv and install the pinned dependencies

mail-deps: ## Install what the e-mail tests need (Debian's dovecot-imapd, started by the tests)
	@bash scripts/ensure-dovecot.sh

browser-deps: ## Install what the browser tests need (Debian's chromium, axe-core from npm)
	@bash scripts/ensure-browser.sh

deploy-deps: ## Install what the deployment test needs (Debian's nginx, never started as a service)
	@bash scripts/ensure-nginx.sh

data: setup ## Migrate the database, load the declaration and the closure calendar
	$(BIN)/guichet migrate --no-input -v 0
	$(BIN)/guichet load-calendar calendars/quebec.toml
	@for f in declarations/*.toml; do $(BIN)/guichet load-declaration $$f || exit 1; done

run: data ## Set up everything, add the demo data (once) and serve on http://127.0.0.1:8000
	$(BIN)/guichet demo
	@echo "Comptes de démonstration (mot de passe demo-guichet) : client@example.org, agent@example.org, superviseur@example.org, confidentialite@example.org, administration@example.org, consultant@example.org (consultant en immigration), commissaire@example.org (Commissaire aux plaintes)"
	@echo "Serveur de démonstration : le personnel entre sans second facteur (en production, il est obligatoire)."
	@echo "Guichet : http://$(HOST):$(PORT)/  (Ctrl-C pour arrêter ; les courriels s'affichent ici)"
	@if [ -n "$${DATABASE_URL:-}" ]; then \
	  DATABASE_URL=$$($(BIN)/guichet db-grants --role $(RUNTIME_ROLE) --apply --create-role) || exit 1; \
	  export DATABASE_URL; \
	  echo "PostgreSQL : l'application se connecte avec le rôle d'exécution $(RUNTIME_ROLE), qui ne peut qu'ajouter aux historiques (docs/deployment.md)"; \
	fi; \
	DEBUG=true $(BIN)/guichet db_worker --interval 2 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  DEBUG=true GUICHET_STAFF_MFA_REQUIRED=false $(BIN)/guichet runserver $(HOST):$(PORT)

test: setup browser-deps mail-deps deploy-deps lint typecheck migrations-check unit ## Everything: lint, types, migrations check, unit, integration and browser tests (PostgreSQL when DATABASE_URL is set)

lint: setup ## ruff lint and format check, and the layers (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: setup ## Format the code with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: setup ## mypy with django-stubs (strict on guichet/clock)
	$(BIN)/mypy guichet bench tests conftest.py

migrations-check: setup ## Fail if a model change has no migration, or a migration breaks the previous release
	$(BIN)/guichet makemigrations --check --dry-run
	$(BIN)/guichet migrations-lint

unit: setup ## The pytest suite (unit, integration, browser journeys)
	@echo "Database: $${DATABASE_URL:-embedded SQLite}"
	$(BIN)/pytest $(PYTEST_ARGS)

install-check: ## A production install works: no dev extras, the lock's versions, every module imports
	@bash scripts/check-runtime-install.sh "$(PYTHON)"

bench: setup ## Speed figures as BENCH lines (ONLY=clock for one group)
	$(BIN)/python -m bench $(if $(ONLY),--only $(ONLY))

faults: setup ## Crash scenarios on a temporary cluster (kill -9, PostgreSQL restart): FAULTS lines (DOSSIERS=3)
	$(BIN)/python -m tests.faults --dossiers $(or $(DOSSIERS),3) $(foreach s,$(ONLY),--only $(s))

messages: setup ## Update the English and Spanish catalogues (guichet/locale) and compile them
	@bash scripts/ensure-gettext.sh
	$(BIN)/guichet makemessages
	cd guichet && ../$(BIN)/guichet compilemessages

lock: ## Re-pin requirements.lock from pyproject.toml in a scratch venv
	rm -rf /tmp/guichet-lock && $(PYTHON) -m venv /tmp/guichet-lock
	/tmp/guichet-lock/bin/pip install --quiet --upgrade pip
	/tmp/guichet-lock/bin/pip install --quiet ".[dev]"
	{ echo "# Every package Guichet installs, pinned (direct ones are also pinned in pyproject.toml)."; \
	  echo "# Regenerate with: make lock"; \
	  /tmp/guichet-lock/bin/pip freeze --exclude guichet; } > requirements.lock

clean: ## Remove .venv, caches and the embedded database
	rm -rf $(VENV) var node_modules .mypy_cache .ruff_cache .pytest_cache .hypothesis
