# Every target bootstraps what it needs on a fresh machine (Python venvs, npm tools, Chromium).
PYTHON ?= python3
VENV ?= .venv
SAM_VENV ?= .venv-sam
PY := $(VENV)/bin/python
PYTEST := $(PY) -m pytest
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
export SAM_CLI_TELEMETRY := 0

.PHONY: demo test test-fast test-slow lint bootstrap tools browser lint-template bench build deploy clean help

help:
	@echo "make demo   - the whole stack locally with the sample logs: API + dashboard on http://127.0.0.1:3000"
	@echo "make test   - every test: unit, integration, template/ASL lint, then slow and browser tests"
	@echo "make bench  - ingest/query benchmarks (prints what was measured and how)"
	@echo "make build  - sam build: each function's package (any python3 with pip; no python3.12 needed)"
	@echo "make deploy - sam build, then sam deploy --guided (stack cloudtrail-tracker, samconfig.toml)"

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

bootstrap: $(VENV)/.installed

# aws-sam-cli pins boto3/botocore/click: it gets an environment of its own.
$(SAM_VENV)/.installed:
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install -q --upgrade pip
	$(SAM_VENV)/bin/pip install -q 'aws-sam-cli>=1.120'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

tools: $(SAM_VENV)/.installed node_modules/.installed

# Debian's Chromium for the browser tests (never a downloaded browser build).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "install Debian's chromium (sudo apt-get install chromium) for the browser tests"; exit 1; fi; }

demo: bootstrap
	$(VENV)/bin/cloudtrail-tracker local --lab-day

lint-template: tools
	$(SAM_VENV)/bin/sam validate --lint --template template.yaml --region us-east-1
	$(VENV)/bin/cfn-lint template.yaml
	@for f in statemachines/*.asl.json; do [ -e "$$f" ] || continue; echo "asl-validator $$f"; asl-validator --json-path "$$f" || exit 1; done

# The code gates: ruff (style, imports, likely bugs) and mypy (types), configured in pyproject.toml.
lint: bootstrap
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/mypy

# Two commands side by side (this machine has 2 cores), each logged whole and then shown in turn:
# $(1), $(3) their labels, $(2), $(4) the commands; a pytest exit status 5 (no test selected) is no failure.
define side_by_side
	@mkdir -p build/test-logs
	@echo '$(2)  |  $(4)'
	@( $(2) ) > build/test-logs/$(1).log 2>&1 & first=$$!; \
	( $(4) ) > build/test-logs/$(3).log 2>&1; second=$$?; wait $$first; first=$$?; \
	echo "---- $(1)"; cat build/test-logs/$(1).log; echo "---- $(3)"; cat build/test-logs/$(3).log; \
	for rc in $$first $$second; do [ $$rc -eq 0 ] || [ $$rc -eq 5 ] || exit $$rc; done
endef

FAST := -m "not slow and not browser" -q
SLOW := -m "slow and not browser" -q

# Unit tests in parallel (xdist); the moto tests one process per directory group, two at a time: under
# xdist their module-scoped stacks ran many times slower than alone (tests/integration/query 102 s
# alone, >10 min with -n 2). The e2e tests run alone: one of them measures concurrency.
test-fast: bootstrap lint
	$(PYTEST) tests/unit -m "not slow and not browser" -n 2 -q
	$(call side_by_side,integration-query,$(PYTEST) tests/integration/query $(FAST),integration-rest,$(PYTEST) tests/integration --ignore=tests/integration/query $(FAST))
	$(PYTEST) tests/e2e $(FAST)

# Each local stack in them is its process's whole embedded AWS. The slow moto test (minutes) beside
# the slow e2e ones and the template lint; then the browser tests alone (their page waits are timed).
test-slow: bootstrap tools browser
	$(call side_by_side,slow-moto,$(PYTEST) tests/unit tests/integration $(SLOW),slow-e2e-and-template,$(PYTEST) tests/e2e $(SLOW) && $(MAKE) --no-print-directory lint-template)
	$(PYTEST) -m "browser" -q; rc=$$?; [ $$rc -eq 5 ] && exit 0; exit $$rc

test: bootstrap tools browser
	$(MAKE) test-fast
	$(MAKE) test-slow

bench: bootstrap
	$(PY) -m benchmarks

# src/Makefile builds the packages (BuildMethod: makefile): pip fetches Linux/CPython 3.12 wheels, so
# the interpreter SAM would otherwise look for on PATH is not needed (the pip is .venv's).
build: bootstrap tools
	PIP="$(CURDIR)/$(VENV)/bin/python -m pip" $(SAM_VENV)/bin/sam build

deploy: build
	$(SAM_VENV)/bin/sam deploy --guided

clean:
	rm -rf $(VENV) $(SAM_VENV) node_modules build .pytest_cache
