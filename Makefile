# Two commands: `make lab` and `make test`. Both make their own virtual environment.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-awslab

.PHONY: setup lab test run bench clean-venv

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -e .
	touch $(STAMP)

setup: $(STAMP) ## make the virtual environment

lab: $(STAMP) ## start the sandbox and open JupyterLab on notebooks/00_setup.ipynb
	$(BIN)/awslab lab

test: $(STAMP) ## lint and run every test
	$(BIN)/ruff check awslab tests benchmarks
	$(BIN)/python -m pytest $(PYTEST_ARGS)

run: $(STAMP) ## run the whole lab headless on the sandbox, executed notebooks in output/
	$(BIN)/awslab run --output output

bench: $(STAMP) ## the benchmarks (ratios measured side by side)
	$(BIN)/python benchmarks/run_all.py

clean-venv:
	rm -rf $(VENV)
