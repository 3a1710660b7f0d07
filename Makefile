# Every target bootstraps what it needs (.venv, node_modules) on a fresh clone;
# the stamps make that a no-op once done. `make` alone lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Where the CDK CLI writes the cloud assembly (tests point it at a temp dir).
CDK_OUT ?= cdk.out
VENV_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

# On Node 20, tools/node_version.py says once, at install, what jsii would repeat at every run.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# make <verb>-<app>: the app names and their stacks. Every <verb> also takes the
# package's spelling (users_redis, todo_postgres), as tools/dev.py does.
APPS := shortener users-redis todo-postgres chaos
STACK_shortener := ShortenerStack
STACK_users-redis := UsersRedisStack
STACK_todo-postgres := TodoPostgresStack
STACK_chaos := ChaosStack
stack = $(or $(STACK_$(subst _,-,$(1))),$(error unknown app '$(1)': use one of $(APPS)))
# CONTEXT="key=value key2=value two" overrides cdk.json context (see README) for every
# target that runs the CDK app: make exports it, tools/cdk_cli.py parses it (a word
# without "=" continues the value before it), checks its keys and runs the CDK CLI.
CONTEXT ?=
export CONTEXT
CDK_CLI = $(PY) -m tools.cdk_cli
# Ask before deploying security-broadening changes; APPROVE=never skips the question.
APPROVE ?= broadening
# The stack selector tolerates a stack_prefix context ("*" matches the prefix).
CDK_STACK = '*$(call stack,$*)'
# Without credentials it reports a bad CONTEXT first, else how to configure them.
CHECK_CREDENTIALS = @$(PY) -m tools.aws_credentials make $@

.PHONY: help install synth test test-fast check lint format typecheck clean bootstrap

help: ## List the targets
	@grep -hE '^[a-zA-Z0-9_%-]+:.*?## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*?## "}; {sub(/%/, "<app>", $$1); printf "  %-20s %s\n", $$1, $$2}'
	@echo "  <app> is one of: $(APPS) (or users_redis, todo_postgres)"

$(VENV_STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (found " + sys.version.split()[0] + "): set PYTHON=/path/to/python3.11")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: install Node.js 22 or 24 (it provides the CDK CLI and dynalite)" >&2; exit 1; }
	@$(PYTHON) tools/node_version.py "$$(node --version)"
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV_STAMP) $(NODE_STAMP) ## Set up .venv and node_modules (every target does this itself)

synth: install ## Synthesize all stacks into cdk.out/ with cdk-nag enforced, and summarize them
	$(CDK_CLI) synth --no-notices --quiet --output $(CDK_OUT)
	@$(PY) -m tools.synth_summary $(CDK_OUT)

# The app tests mostly wait (on outages, deadlines, real servers), so make test runs them
# on xdist workers: 142 s serial, 73 s on two (a busy 2-core machine). The rest stays in
# one process: each worker would synthesize the CDK app again. Both runs report before make
# fails. make test-fast stays in one process: without the waits, each worker starting its
# own servers costs more than it saves (the fast app tests: 34 s serial, 57 s on two).
APP_TEST_WORKERS ?= 2

test: install ## Run the whole test suite (what CI runs): app tests on APP_TEST_WORKERS xdist workers
	@status=0; \
	$(PY) -m pytest --ignore=tests/apps || status=$$?; \
	$(PY) -m pytest tests/apps -n $(APP_TEST_WORKERS) || status=$$?; \
	exit $$status

# Two processes side by side, one per core on a 2-core machine: the app tests (servers on
# free ports) and the rest (CDK synths), whose report follows the apps'. No pytest cache:
# both would write it at once. The shell starts the second with Ctrl-C ignored, as it does
# every background job: restored, so that Ctrl-C ends both, each tearing down its servers.
PYTEST_INTERRUPTIBLE = -c 'import signal, sys, pytest; signal.signal(signal.SIGINT, signal.default_int_handler); sys.exit(pytest.main(sys.argv[1:]))'
test-fast: install ## Run every test not marked slow, the app tests beside the rest: the loop while editing
	@rest=$$(mktemp); status=0; \
	$(PY) $(PYTEST_INTERRUPTIBLE) -m "not slow" --ignore=tests/apps -p no:cacheprovider >"$$rest" 2>&1 & pid=$$!; \
	$(PY) -m pytest -m "not slow" tests/apps -p no:cacheprovider || status=$$?; \
	wait $$pid || status=$$?; cat "$$rest"; rm -f "$$rest"; \
	exit $$status

check: lint typecheck ## What CI checks before the tests: ruff check, ruff format --check, hadolint, mypy --strict

lint: install ## Check style: ruff check and ruff format --check, hadolint on the Dockerfile
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/hadolint apps/Dockerfile

format: install ## Apply ruff fixes and formatting
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

typecheck: install ## Type-check with mypy (strict)
	$(PY) -m mypy constructs_lib cdk tools apps tests

bootstrap: install ## Bootstrap the CDK toolkit in the current AWS account/region (once per account/region)
	$(CHECK_CREDENTIALS)
	$(CDK_CLI) bootstrap --no-notices

deploy-%: install ## Deploy one app's stack (CONTEXT="key=value ...", APPROVE=never to skip approval)
	$(CHECK_CREDENTIALS)
	$(CDK_CLI) deploy $(CDK_STACK) --no-notices --output $(CDK_OUT) --require-approval $(APPROVE)

diff-%: install ## Show what deploying one app would change (offline: against an empty template)
	@if $(PY) -m tools.aws_credentials --quiet; then \
		$(CDK_CLI) diff $(CDK_STACK) --no-notices --output $(CDK_OUT); \
	else \
		echo "No AWS credentials: comparing against an empty template (everything would be created)."; \
		$(CDK_CLI) diff $(CDK_STACK) --no-notices --output $(CDK_OUT) --template tools/empty-template.json; \
	fi

destroy-%: install ## Delete one app's stack (asks for confirmation)
	$(CHECK_CREDENTIALS)
	$(CDK_CLI) destroy $(CDK_STACK) --no-notices --output $(CDK_OUT)

clean: ## Remove build outputs and caches (keeps .venv and node_modules)
	rm -rf cdk.out .pytest_cache .mypy_cache .ruff_cache *.egg-info build dist
	find . -name __pycache__ -type d -prune -not -path './.venv/*' -not -path './node_modules/*' -exec rm -rf {} +

# Container images (README, "Container images"): Debian's buildah and podman, which
# .ci/run installs. IMAGES_BASE=registry pulls the official base instead of the stand-in.
IMAGES_BASE ?= stand-in
.PHONY: images test-images images-clean

images: synth ## Build every app's image from cdk.out as the CDK CLI would, and print their sizes
	$(PY) -m tools.images build --cdk-out $(CDK_OUT) --base $(IMAGES_BASE)

test-images: images ## Run each image against its real local backend and check it (not part of make test)
	IMAGE_TESTS=1 $(PY) -m pytest tests/images

images-clean: install ## Remove the containers and images that make images and make test-images made
	$(PY) -m tools.images clean

include tools/dev.mk
include tools/bench.mk
