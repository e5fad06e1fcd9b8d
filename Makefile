# Anyun: two commands. `make run` sets everything up on first use and serves the demo;
# `make test` runs the whole suite (lint, types, migrations check, tests, browser journeys).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HTMX := build/vendor/htmx/htmx.min.js
# Test-only: outside build/vendor (STATICFILES_DIRS), so it is never served or collected.
AXE := build/test-vendor/axe-core/axe.min.js
MO := src/anyun/locale/zh_Hans/LC_MESSAGES/django.mo
SYSTEM_PACKAGES := sh scripts/system-packages.sh

.PHONY: run test bench fault mutation lint messages clean system-packages browser-packages pdf-packages

run: $(STAMP) $(HTMX) $(MO) pdf-packages
	$(BIN)/anyun run

test: $(STAMP) $(HTMX) $(AXE) $(MO) browser-packages pdf-packages
	$(BIN)/ruff check src tests conftest.py
	$(BIN)/ruff format --check src tests conftest.py
	$(BIN)/mypy src
	$(BIN)/python -m django makemigrations --check --dry-run --settings=anyun.settings
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check --fix src tests conftest.py
	$(BIN)/ruff format src tests conftest.py

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Anyun needs Python 3.11 or newer (python3 is $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Third-party front-end files come from the npm registry at set-up time (package.json).
$(HTMX): package.json
	@$(SYSTEM_PACKAGES) npm
	npm install --no-audit --no-fund --silent
	mkdir -p $(dir $@)
	cp node_modules/htmx.org/dist/htmx.min.js $@

# axe-core checks the pages of the browser journeys against WCAG 2.1 A/AA (docs/accessibility.md).
$(AXE): package.json
	@$(SYSTEM_PACKAGES) npm
	npm install --no-audit --no-fund --silent
	mkdir -p $(dir $@)
	cp node_modules/axe-core/axe.min.js $@

# Translations are compiled from the committed .po files (needs GNU gettext's msgfmt).
$(MO): src/anyun/locale/zh_Hans/LC_MESSAGES/django.po $(STAMP)
	@$(SYSTEM_PACKAGES) gettext
	cd src/anyun && ../../$(BIN)/python -m django compilemessages --settings=anyun.settings -v 0

# The browser journeys drive Debian's Chromium through Playwright (no browser download); the
# screenshots need a CJK font; the video call through a TURN relay starts Debian's coturn.
# Only `make test` needs these: `make run` serves without them.
browser-packages:
	@$(SYSTEM_PACKAGES) chromium fonts turnserver

# The printed chart (WeasyPrint) needs Pango and a CJK font to set Chinese as real text.
pdf-packages:
	@$(SYSTEM_PACKAGES) pango fonts

# Each need is checked and installed on its own (scripts/system-packages.sh says why not).
system-packages:
	@$(SYSTEM_PACKAGES) chromium gettext fonts pango npm turnserver

bench: $(STAMP) fault
	$(BIN)/python -m tests.bench $(BENCH_ARGS)
	$(BIN)/python -m tests.bench.schedule
	$(BIN)/python -m tests.bench.chat --interval 20

# Crash under load: SIGKILL of the server (and of a separate worker), restart, check the data.
fault: $(STAMP) $(HTMX) $(MO)
	$(BIN)/python -m tests.fault

# Mutation testing of the pure clinical core against its own tests (no database), on 2 cores;
# configured in pyproject.toml [tool.mutmut]. Not part of `make test`: it takes minutes.
# Starts fresh each time, prints the score per module and lists the surviving mutants
# (`$(BIN)/mutmut show <name>` shows one; docs/mutation.md explains the equivalent ones).
mutation: $(STAMP)
	rm -rf mutants
	@mkdir -p var
	$(BIN)/mutmut run --max-children 2 > var/mutation.log 2>&1 || { tail -40 var/mutation.log; exit 1; }
	$(BIN)/python scripts/mutation_report.py
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) build node_modules var mutants
