# Two commands for a newcomer: `make run` and `make test`. Everything else is set up on the way.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The official acts: a mirror folder beside the repository when there is one (as in CI).
MIRROR := $(wildcard $(abspath ../shared/corpus))
ifneq ($(MIRROR),)
export KB_CORPUS_MIRROR ?= $(MIRROR)
endif

.PHONY: install index run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first and pinned: left to the resolver it would pull a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

index: install
	$(BIN)/kb ingest

run: index
	$(BIN)/kb ask "Can we use emotion recognition on our staff?"

test: install
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) data
