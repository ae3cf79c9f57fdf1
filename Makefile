# Two commands: `make lab` and `make test`. Both make their own virtual environment, with uv
# (seconds) from PATH, or fetched once from PyPI into .uv/; with pip when uv cannot be had.
# constraints-dev.txt pins every package to the versions last tested, so CI installs what
# passed; on a Python those pins do not fit, the newest versions the ranges allow.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-awslab
INSTALL := -r requirements-dev.txt -e .
PINS := -c constraints-dev.txt
OVERRIDES := --override overrides.txt
UNPINNED := echo "the versions in constraints-dev.txt do not fit this Python: installing the newest the ranges allow"

.PHONY: setup lab test run bench clean-venv constraints

$(STAMP): requirements.txt requirements-dev.txt constraints-dev.txt overrides.txt pyproject.toml
	@uv=$$(command -v uv || echo .uv/bin/uv); \
	[ -x "$$uv" ] || $(PYTHON) -m pip install --quiet --target .uv uv >/dev/null 2>&1 || true; \
	if [ -x "$$uv" ]; then \
	  echo "making $(VENV) with uv"; \
	  export UV_PYTHON_DOWNLOADS=never; \
	  "$$uv" venv --quiet --seed --allow-existing --python $(PYTHON) $(VENV) && \
	  { "$$uv" pip install --quiet --python $(BIN)/python $(PINS) $(OVERRIDES) $(INSTALL) || \
	    { $(UNPINNED); "$$uv" pip install --quiet --python $(BIN)/python $(OVERRIDES) $(INSTALL); }; }; \
	else \
	  echo "making $(VENV) with pip (uv is not on PATH and could not be fetched)"; \
	  $(PYTHON) -m venv $(VENV) && \
	  { $(BIN)/python -m pip install --quiet $(PINS) $(INSTALL) || \
	    { $(UNPINNED); $(BIN)/python -m pip install --quiet $(INSTALL); }; }; \
	fi
	@touch $(STAMP)

setup: $(STAMP) ## make the virtual environment

# PORT=N: JupyterLab's port (default 8888, or AWSLAB_LAB_PORT): make lab PORT=8890
lab: $(STAMP) ## start the sandbox and open JupyterLab on notebooks/00_setup.ipynb
	$(BIN)/awslab lab$(if $(PORT), --port $(PORT))

# Tests run in TEST_WORKERS processes (pytest-xdist), each with its own AWSLAB_HOME and
# sandbox; a test file stays in one process (and the browser tests all in one: tests/conftest.py,
# pytest_xdist_make_scheduler), and the longest files start first (in the order it gives them). Four on two cores: many tests wait (for a browser, a kernel,
# the next MFA code), and the others use that time (measured on a clean clone: 288 and 332 s
# with 4, 325 s with 3, 363 s with 2, for 733 tests; for about 990, 342 s with 4 while the
# machine's other work was light, 650 s while it was heavy, 497 s with 6 in between; for about
# 1,000 with the kernels forked, 250 s with 4 and 239 s with 3, within one run's spread of 15 s).
# TEST_WORKERS=0 runs them all in this one.
TEST_WORKERS ?= 4

# PYTHONDONTWRITEBYTECODE is emptied for the tests (some machines, this project's own among them,
# set it): they start hundreds of Python processes (kernels, sandboxes, awslab commands), and
# without the bytecode the first one writes, each compiles every module it imports again (about
# 1 s of CPU each: a quarter to a third of the suite's CPU time, measured).
test: $(STAMP) ## lint and run every test
	$(BIN)/ruff check awslab tests benchmarks
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

run: $(STAMP) ## run the whole lab headless on the sandbox, executed notebooks in output/
	$(BIN)/awslab run --output output

bench: $(STAMP) ## the benchmarks (ratios measured side by side)
	$(BIN)/python benchmarks/run_all.py

constraints: $(STAMP) ## pin the newest versions the ranges allow (then run make test)
	$$(command -v uv || echo .uv/bin/uv) pip compile --quiet --upgrade --python $(BIN)/python $(OVERRIDES) \
	  --no-annotate --custom-compile-command "make constraints" requirements-dev.txt -o constraints-dev.txt

clean-venv:
	rm -rf $(VENV)
