# Veilig Noord-Veluwe — developer commands. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LOCALES := bot/i18n/locales
POT := $(LOCALES)/messages.pot
EXTRACT := pybabel --quiet extract -F pyproject.toml --no-location --sort-output -c "Translators:" -o $(POT) .
UPDATE := pybabel --quiet update -i $(POT) -d $(LOCALES) --no-fuzzy-matching --ignore-obsolete
export PTB_TIMEDELTA := 1

.PHONY: all run test test-pg lint typecheck pytest kb-check i18n i18n-check bench load clean

all: $(BIN)/.installed

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Without TELEGRAM_BOT_TOKEN (environment or .env) this opens the offline sandbox in the terminal.
run: all
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ] || grep -qs '^TELEGRAM_BOT_TOKEN=..*' .env; then \
		$(BIN)/veiligbot run; \
	else \
		echo "TELEGRAM_BOT_TOKEN is not set: starting the offline sandbox (type /start; Ctrl-D to quit)."; \
		$(BIN)/veiligbot chat; \
	fi

test: all lint typecheck i18n-check kb-check pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/.installed
	$(BIN)/mypy

kb-check: $(BIN)/.installed
	$(BIN)/veiligbot kb check

# With TEST_DATABASE_URL (a PostgreSQL server) the storage, workflow, outbox and report tests also run against
# PostgreSQL; without it those runs are skipped, saying so.
pytest: all
	$(BIN)/pytest -W error -q

# Only the PostgreSQL runs, on a throwaway local server (initdb + pg_ctl; needs the PostgreSQL server binaries).
test-pg: all
	$(BIN)/python -m bot.dev.pgcluster -- $(BIN)/pytest -W error -q -m postgresql

# Extract user-facing strings and merge them into the nl/en catalogs. The bot reads the .po files at start-up,
# so there is nothing to compile.
i18n: $(BIN)/.installed
	$(BIN)/$(EXTRACT)
	$(BIN)/$(UPDATE)

# The catalogs must be up to date with the code and Dutch must be complete.
i18n-check: $(BIN)/.installed
	$(BIN)/$(EXTRACT)
	$(BIN)/python -m bot.i18n.check $(LOCALES)

bench: all
	$(BIN)/python -m bot.dev.bench
	$(BIN)/python -m bot.dev.load --residents 200 --throughput 300

# 1,000 simulated residents at once through the emulator, production rate limiter on (a few minutes).
load: all
	$(BIN)/python -m bot.dev.load --residents 1000 --throughput 500

clean:
	rm -rf $(VENV) $(POT) .mypy_cache .ruff_cache .pytest_cache
