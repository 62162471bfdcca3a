# PV Ledger. `make demo` and `make test` do all the setup they need; see README.md.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
BROWNIE := $(VENV)/bin/brownie
SOLC_VERSION := 0.8.28
SOLC := .solcx/solc-v$(SOLC_VERSION)
BROWNIE_WARNINGS := ignore:rpc.snapshot should not be called directly:FutureWarning,ignore:rpc.revert should not be called directly:FutureWarning

# Tools run from the project: anvil, ganache and solc-js from node_modules, brownie from the venv,
# the solc bridge from .solcx (py-solc-x looks for `solc-v<version>` there).
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
export SOLCX_BINARY_PATH := $(CURDIR)/.solcx
# brownie 1.22.2 warns about its own deprecated calls on every snapshot; hide that noise only
export PYTHONWARNINGS := $(BROWNIE_WARNINGS)

STAMP_PY := $(VENV)/.installed
STAMP_NODE := node_modules/.installed
VENV_ENV := $(VENV)/pvledger-env.sh
BUNDLE := oracle/web/static/dist/dashboard.js
SETUP := $(STAMP_PY) $(VENV_ENV) $(STAMP_NODE) $(SOLC) $(BUNDLE) .env networks

.PHONY: help install networks compile test demo dashboard screenshots abi lint bench clean

help: ## list the commands
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

install: $(SETUP) ## set up everything: .venv, node_modules, the solc bridge, brownie networks

$(STAMP_PY): requirements.txt
	@test -x $(PY) || { echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

# `source .venv/bin/activate` also sets what the Makefile exports, for brownie console sessions.
$(VENV_ENV): $(STAMP_PY) Makefile
	@printf '%s\n' '# PV Ledger: project tools on PATH and the solc bridge for brownie' \
	  'export PATH="$(CURDIR)/node_modules/.bin:$$PATH"' \
	  'export SOLCX_BINARY_PATH="$(CURDIR)/.solcx"' \
	  'export PYTHONWARNINGS="$(BROWNIE_WARNINGS)"' > $(VENV)/pvledger-env.sh
	@grep -q pvledger-env.sh $(VENV)/bin/activate || echo '. "$(CURDIR)/$(VENV)/pvledger-env.sh"' >> $(VENV)/bin/activate

# `npm install` honouring the committed lockfile rather than `npm ci`: @foundry-rs/anvil lists a
# binary package per platform as optional dependencies, and a registry that does not serve the
# other platforms' packages leaves them out of the lockfile, which `npm ci` then calls out of sync.
$(STAMP_NODE): package.json package-lock.json
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

# A `solc-v0.8.28` for py-solc-x: native solc is not downloadable here, so the executable is a
# wrapper around scripts/toolchain/solc-bridge.js (npm solc, same version, same bytecode).
$(SOLC): scripts/toolchain/solc-bridge.js $(STAMP_NODE)
	@mkdir -p .solcx
	@printf '%s\n' '#!/bin/sh' 'exec node "$$(dirname "$$(readlink -f "$$0")")/../scripts/toolchain/solc-bridge.js" "$$@"' > $@
	@chmod +x $@
	@$@ --version | grep -q "Version: $(SOLC_VERSION)+" || { echo "solc bridge does not report $(SOLC_VERSION)"; exit 1; }

# The dashboard's JavaScript (in-browser verification with ethers and @openzeppelin/merkle-tree, the
# sign-in) bundled from node_modules, so the app serves everything itself (no CDN).
$(BUNDLE): oracle/web/js/*.js $(STAMP_NODE)
	node_modules/.bin/esbuild oracle/web/js/dashboard.js --bundle --format=esm --minify --target=es2020 \
	  --log-level=warning --outfile=$@

.env:
	@echo "# local secrets (git-ignored); see .env.example" > $@

networks: $(STAMP_PY) ## register development (anvil), ganache, sepolia-env, volta in ~/.brownie
	@$(PY) scripts/toolchain/networks.py

compile: $(SETUP) ## compile the contracts
	$(BROWNIE) compile

test: $(SETUP) ## compile and run every test (on anvil)
	$(BROWNIE) test $(ARGS)

demo: $(SETUP) ## the main job on a fresh local anvil chain
	$(BROWNIE) run scripts/demo.py

dashboard: $(SETUP) ## the dashboard on the last demo's chain: http://127.0.0.1:8000/ (make demo first)
	$(PY) -m scripts.toolchain.dashboard $(ARGS)

screenshots: $(SETUP) ## regenerate the manuals' screenshots (docs/screenshots/) with the browser tests
	PVLEDGER_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(BROWNIE) test tests/web $(ARGS)

abi: $(SETUP) ## export abi/<Contract>.json for every project contract
	$(BROWNIE) run scripts/export_abi.py

lint: $(SETUP) ## slither (high/medium must be triaged) and solhint
	$(PY) scripts/toolchain/lint.py

bench: $(SETUP) ## gas and speed benchmarks; writes bench/results.json and bench/RESULTS.md
	$(BROWNIE) run scripts/bench.py

clean: ## remove build output and installed tools (.venv, node_modules, .solcx, build)
	rm -rf build reports .solcx node_modules $(VENV) .hypothesis .pytest_cache
