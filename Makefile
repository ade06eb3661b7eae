# The two commands in the README: `make run` and `make test`. Each installs what it needs itself.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= masthead.settings.dev

.PHONY: run test install install-test browser-tools audio-tools i18n-tools messages bench-tools bench scale-out soak lighthouse lint seed reset-demo worker clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Masthead needs Python 3.11 or newer"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

install: $(VENV)/.installed

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install-test: $(VENV)/.installed-test

# Debian's Chromium (never a browser download) and the Nu HTML Checker from npm.
browser-tools:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
	@test -f node_modules/vnu-jar/build/dist/vnu.jar || npm install --no-audit --no-fund --silent
	@command -v java >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null)

# espeak-ng: the fallback speech engine (Piper, the default voice, comes from PyPI).
audio-tools:
	@command -v espeak-ng >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng >/dev/null) || echo "espeak-ng could not be installed: the fallback voice is unavailable"

# GNU gettext: makemessages reads the strings to translate (the tests check the catalogues cover them).
i18n-tools:
	@command -v xgettext >/dev/null 2>&1 && command -v msgfmt >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null)

# What is not interface text (the same list as core/tests/test_translations.py).
MESSAGES_IGNORE := --ignore=.venv --ignore=node_modules --ignore=var --ignore=bench --ignore=tests --ignore="*/tests/*"
# After changing interface text: update every edition's catalogue, translate what is new, then compile.
messages: install-test i18n-tools
	DJANGO_SETTINGS_MODULE=masthead.settings.test $(PY) manage.py makemessages --all --no-obsolete $(MESSAGES_IGNORE)
	DJANGO_SETTINGS_MODULE=masthead.settings.test $(PY) manage.py compilemessages $(MESSAGES_IGNORE)

# wrk (load) and nginx (the static-file reference) for `make bench`.
bench-tools:
	@command -v wrk >/dev/null 2>&1 && command -v nginx >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx >/dev/null)

# Seeds 100,000 articles and 1,000,000 feed items in PostgreSQL (kept in masthead_bench), serves the
# site in the production profile and prints requests/s beside nginx (bench/site_speed.py).
bench: install audio-tools bench-tools
	$(PY) bench/site_speed.py $(BENCH_ARGS)

# Two web processes and two workers on one PostgreSQL and Redis, each step checked (bench/scale_out.py).
scale-out: install-test audio-tools
	$(PY) bench/scale_out.py $(SCALE_ARGS)

# Five minutes of mixed reading and writing traffic; reports the rate, errors and anything lost.
soak: install-test audio-tools bench-tools
	$(PY) bench/soak.py $(SOAK_ARGS)

# Lighthouse 12 (npm) with Debian's Chromium on the demo site's home and article pages (bench/lighthouse.py).
lighthouse: install browser-tools audio-tools
	@test -x node_modules/.bin/lighthouse || npm install --no-audit --no-fund --silent
	$(PY) bench/lighthouse.py $(LIGHTHOUSE_ARGS)

run: install audio-tools
	HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/masthead run

worker: install
	$(VENV)/bin/masthead worker

seed: install
	$(VENV)/bin/masthead seed

reset-demo: install
	rm -f var/db.sqlite3
	$(VENV)/bin/masthead setup

test: install-test browser-tools audio-tools i18n-tools
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=masthead.settings.test $(PY) manage.py makemigrations --check --dry-run
	@# Two processes on the two cores, then the drills that need the machine to themselves (conftest.py's
	@# SERIAL), alone. pytest's 5 is "none of these were selected" (PYTEST_ARGS chose others).
	DJANGO_SETTINGS_MODULE=masthead.settings.test $(VENV)/bin/pytest -n 2 --dist worksteal -m "not serial" $(PYTEST_ARGS) || test $$? -eq 5
	DJANGO_SETTINGS_MODULE=masthead.settings.test $(VENV)/bin/pytest -m serial $(PYTEST_ARGS) || test $$? -eq 5

lint: install-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) node_modules var
