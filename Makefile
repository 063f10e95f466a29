# DR-Kube — every task of the project, from a fresh clone.
# `make help` lists the targets with their descriptions.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DRKUBE := $(BIN)/dr-kube
ISSUE ?= sample_oom
ISSUE_FILE := $(if $(wildcard $(ISSUE)),$(ISSUE),agent/issues/$(ISSUE).json)
SAMPLE_FLAGS := --cluster agent/issues/cluster --charts agent/issues/charts
ARGS ?=

##@ Agent

.PHONY: setup
setup: $(BIN)/dr-kube ## Install DR-Kube and its development tools into .venv

$(BIN)/dr-kube: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

.PHONY: agent-setup
agent-setup: setup ## Same as setup (kept for the demo scripts)

.PHONY: agent-run
agent-run: setup ## Diagnose a sample incident and show the fix (ISSUE=sample_oom or a file)
	$(DRKUBE) run $(ISSUE_FILE) $(SAMPLE_FLAGS) $(ARGS)

.PHONY: agent-fix
agent-fix: setup ## Like agent-run, then commit the fix on a branch (and open a PR with GITHUB_TOKEN)
	$(DRKUBE) fix $(ISSUE_FILE) $(SAMPLE_FLAGS) $(ARGS)

.PHONY: agent-webhook
agent-webhook: setup ## Run the webhook service on 127.0.0.1:8080
	$(DRKUBE) serve --port 8080 $(ARGS)

##@ Quality

.PHONY: test
test: setup ## Run every test (installs the Debian tools the tests need when allowed)
	bash scripts/test-deps.sh
	$(BIN)/python -m pytest $(ARGS)

.PHONY: lint
lint: setup ## ruff (lint and format check) and mypy
	$(BIN)/ruff check agent tests
	$(BIN)/ruff format --check agent tests
	$(BIN)/mypy

.PHONY: bench
bench: setup ## Print start-up, run/fix latency and peak memory figures
	$(BIN)/python bench/bench.py

##@ Help

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*##"} /^##@/ {printf "\n\033[1m%s\033[0m\n", substr($$0, 5)} /^[a-zA-Z0-9_-]+:.*##/ {printf "  \033[36m%-24s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)
