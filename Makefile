# hashtrust: every set-up step lives here. `make demo` and `make test` work on a fresh machine
# with Python 3.11 and Node/npm; a second run skips what is already installed.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
ANVIL_DIR := $(firstword $(wildcard $(CURDIR)/node_modules/@foundry-rs/anvil-*/bin))
export PATH := $(BIN):$(if $(ANVIL_DIR),$(ANVIL_DIR):,)$(PATH)
export APE_DATA_FOLDER := $(CURDIR)/.ape-data
DEVNET_PORT ?= 8545
export HASHTRUST_DEVNET_PORT := $(DEVNET_PORT)
DEVNET_URL := http://127.0.0.1:$(DEVNET_PORT)
# The in-process (titanoboa / eth-tester) tests run on every core (pytest-xdist); TEST_JOBS=0 runs them in one process.
TEST_JOBS ?= auto

PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: help setup demo test test-unit test-e2e test-deep load bench stop devnet compile clean

help:
	@echo "make demo       deploy and run hashtrust on a local Anvil devnet (started when needed; DEVNET_PORT=8545)"
	@echo "make test       the whole test suite (in-process chain on every core, TEST_JOBS=0 for one; then a real Anvil)"
	@echo "make setup      create .venv (pinned Python packages) and install Anvil into node_modules"
	@echo "make compile    compile the contracts"
	@echo "make devnet     start the local devnet (or report the running one); state kept in .devnet/"
	@echo "make stop       stop the local devnet (its state is kept in .devnet/)"
	@echo "make test-unit  the unit tests only (in-process chain)"
	@echo "make test-e2e   the end-to-end tests only (real Anvil)"
	@echo "make test-deep  long state-machine profile (>= 1,000 steps per machine), the demo stopped in every phase"
	@echo "make load       10,000 feedbacks from 1,000 clients on Anvil"
	@echo "make bench      gas and throughput benchmarks"
	@echo "make clean      remove build caches and the state snapshots stopped Anvils leave behind"

$(PY_STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "Error: $(PYTHON) not found (hashtrust needs Python 3.11)"; exit 1; }
	[ -x $(VENV)/bin/python ] || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e .
	touch $@

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "Error: npm not found (hashtrust installs Anvil with npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(PY_STAMP) $(NODE_STAMP)

# Recursive calls re-read ANVIL_DIR after npm has installed it.
compile: setup
	@$(MAKE) --no-print-directory _compile
_compile:
	ape compile

devnet: setup
	@$(MAKE) --no-print-directory _devnet
_devnet:
	python -m hashtrust.chain.devnet start

demo: setup
	@$(MAKE) --no-print-directory _demo
_demo: _devnet
	APE_FOUNDRY_HOST=$(DEVNET_URL) ape run demo --network ethereum:local:foundry

stop:
	@if [ -x $(VENV)/bin/python ]; then $(VENV)/bin/python -m hashtrust.chain.devnet stop; else echo "nothing to stop"; fi

test: setup
	@$(MAKE) --no-print-directory _test
_test: _compile
	@command -v anvil >/dev/null || { echo "Error: anvil is not installed in node_modules"; exit 1; }
	ape test tests/unit --network ethereum:local:test -n $(TEST_JOBS)
	ape test tests/e2e --network ethereum:local:foundry

test-unit: setup
	@$(MAKE) --no-print-directory _test-unit
_test-unit: _compile
	ape test tests/unit --network ethereum:local:test -n $(TEST_JOBS)

# Recursive, like `test`: the new make reads ANVIL_DIR after npm has installed Anvil.
test-e2e: setup
	@$(MAKE) --no-print-directory _test-e2e
_test-e2e: _compile
	@command -v anvil >/dev/null || { echo "Error: anvil is not installed in node_modules"; exit 1; }
	ape test tests/e2e --network ethereum:local:foundry

# The long hypothesis profile (>= 1,000 steps per state machine) and the security tests.
test-deep: setup
	@$(MAKE) --no-print-directory _test-deep
_test-deep: _compile
	HYPOTHESIS_PROFILE=deep ape test tests/unit/identity/test_state_machine_boa.py tests/unit/reputation/test_reputation_differential_boa.py tests/unit/validation/test_validation_state_machine_boa.py tests/unit/vault/test_invariants_boa.py tests/unit/vault/test_trust_invariants_boa.py tests/unit/vault/test_fairness_model_boa.py tests/unit/bitcoin/test_index_state_machine_boa.py tests/unit/security --network ethereum:local:test -n $(TEST_JOBS)
	HASHTRUST_DEMO_STOPS=all ape test tests/e2e/test_demo.py --network ethereum:local:foundry

# 10,000 feedbacks from 1,000 clients on a real Anvil (started and stopped by the test).
load: setup
	@$(MAKE) --no-print-directory _load
_load: _compile
	ape test tests/load --network ethereum:local:test -s

# Gas tables, scaling curves and throughput on a private Anvil -> benchmarks/results/
bench: setup
	@$(MAKE) --no-print-directory _bench
_bench:
	python -m benchmarks.run

clean:
	rm -rf .build .pytest_cache .hypothesis
	@if [ -x $(VENV)/bin/python ]; then $(VENV)/bin/python -m hashtrust.chain.devnet clean; fi
