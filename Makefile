# Two commands set everything up on a fresh machine with Python 3.11:
#   make demo   the demo service (embedded: no MongoDB or Redis needed)
#   make test   the whole test suite (starts Redis if it is not answering)
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test bench redis chromium clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/flask --app backend demo run

redis:
	@bash scripts/ensure-redis.sh

chromium:
	@bash scripts/ensure-chromium.sh

test: $(STAMP) redis chromium
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) bench/submit_findings.py

clean:
	rm -rf $(VENV) .pytest_cache *.egg-info
