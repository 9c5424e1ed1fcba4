# Two commands set everything up on a fresh machine with Python 3.11:
#   make demo   the demo service (embedded: no MongoDB or Redis needed)
#   make test   the whole test suite (starts Redis if it is not answering)
#   make test-mongo  the suite again over the MongoDB wire protocol (mongoeco's server, TCP, forking worker)
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
APP_STAMP := $(VENV)/.installed-app

.PHONY: demo test test-mongo bench redis chromium fonts clean messages

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The demo needs the application only, not the test extras.
$(APP_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $(APP_STAMP)

# gunicorn (one process, threads, keep-alive). With MONGODB_URI and REDIS_URL set: the same
# demo on that database, forking workers beside the API.
demo: $(APP_STAMP)
	@bash scripts/ensure-fonts.sh || echo 'No Chinese font: PDF documents will fail (see scripts/ensure-fonts.sh).'
	$(PY) -m backend.serving

redis:
	@bash scripts/ensure-redis.sh

chromium:
	@bash scripts/ensure-chromium.sh

# The Chinese font the PDF documents embed (通报, transfer letters).
fonts:
	@bash scripts/ensure-fonts.sh

test: $(STAMP) redis chromium fonts
	$(PY) -m pytest

# The same suite over the MongoDB wire protocol (the schemathesis run, which checks the API
# rather than the engine, runs once, in `make test`).
test-mongo: $(STAMP) redis
	bash scripts/test-mongo.sh -m 'not schemathesis'

bench: $(STAMP)
	$(PY) bench/submit_findings.py

# New user-facing messages into the Chinese catalogue (then fill in their msgstr).
messages: $(STAMP)
	mkdir -p var
	$(VENV)/bin/pybabel extract -F babel.cfg -k _ -k lazy_ -k N_ --no-location --no-wrap --sort-output -o var/messages.pot .
	$(VENV)/bin/pybabel update -i var/messages.pot -d backend/translations -l zh --no-fuzzy-matching --ignore-obsolete --no-wrap

clean:
	rm -rf $(VENV) .pytest_cache *.egg-info
