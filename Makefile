# Every target sets itself up on a fresh Debian/Ubuntu machine with Python 3.11+, and prints only
# its own progress (recipes are not echoed; pip is quiet).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BROWSER_ENV = ORDERCANCEL_BROWSER_EXECUTABLE="$$(cat .browser-path)"

.PHONY: demo test setup browser bench soak clean catalogs

setup: $(STAMP) .browser-path

$(STAMP): pyproject.toml
	@echo "setting up $(VENV): the package, its test extra and their dependencies (a minute or two)"
	@$(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	@# setuptools says "Editable installation." for every editable install: information, not a warning
	@PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

.browser-path: $(STAMP)
	@echo "finding a Chromium for headless work"
	@PY=$(PY) scripts/ensure-browser > .browser-path.tmp && mv .browser-path.tmp .browser-path

demo: setup
	@$(BROWSER_ENV) $(VENV)/bin/ordercancel demo
	@echo
	@echo "ordercancel is installed in $(VENV): run $(VENV)/bin/ordercancel --help,"
	@echo "or 'source $(VENV)/bin/activate' once, then ordercancel --help"

test: setup
	@$(BROWSER_ENV) $(PY) -m pytest -n 3 $(PYTEST_ARGS)

bench: setup
	$(PY) benchmarks/store_throughput.py
	$(BROWSER_ENV) $(PY) benchmarks/cancel_latency.py
	$(BROWSER_ENV) $(PY) benchmarks/batch_throughput.py
	$(BROWSER_ENV) $(PY) benchmarks/cold_start.py
	$(BROWSER_ENV) $(PY) benchmarks/order_breakdown.py
	$(BROWSER_ENV) $(PY) benchmarks/side_by_side.py

clean:
	rm -rf $(VENV) .browser-path test-results

soak: setup
	SOAK_ORDERS=300 SOAK_RESULTS=benchmarks/out/soak.json $(BROWSER_ENV) $(PY) -m pytest tests/test_soak.py -p no:xdist -s -q

# After adding or changing a sentence in the code: the template and every language's .po brought
# up to date (a new sentence comes in untranslated, a changed one as new: tests/unit/test_catalogs.py
# names what to translate). Editing a .po needs no step: the tool reads a .po newer than its .mo,
# and installing compiles the .mo (setup.py).
CATALOGS := automation/locale
catalogs: $(STAMP)
	$(VENV)/bin/pybabel -q extract -F babel.cfg -k Nn_:1,2 --add-location=file --sort-output --no-wrap \
		--project=order-cancel-assistant --version=0.1.0 -o $(CATALOGS)/ordercancel.pot .
	$(VENV)/bin/pybabel -q update -i $(CATALOGS)/ordercancel.pot -d $(CATALOGS) -D ordercancel \
		--no-fuzzy-matching --ignore-obsolete --no-wrap
