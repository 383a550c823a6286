# White blood cell count information bot: install, check, train and run.
# `make help` lists the targets. Every check runs with `make test`, in the order CI uses.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules --no-print-directory

# A Python 3.10 to build the venv with; empty means "find one" (scripts/find_python.sh).
PYTHON ?=

VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MODEL_NAME := wbc
MODEL := models/$(MODEL_NAME).tar.gz
FINGERPRINT := models/$(MODEL_NAME).fingerprint
RESULTS := results
# The bot's settings (server/settings.py: ACTIONS_PORT, RASA_PORT, WEB_PORT, ...) come from the
# environment, with their defaults there; none is set here, so none can shadow the environment.

# Quiet TensorFlow's C++ logging and Rasa's telemetry for every command run from here.
export TF_CPP_MIN_LOG_LEVEL := 2
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

LINT_PATHS := bot actions components channels server tests scripts
# Rasa and its dependencies print pages of DeprecationWarnings at start-up; not ours to fix.
RASA := PYTHONWARNINGS=ignore::DeprecationWarning $(BIN)/rasa

.PHONY: help venv install lock lint typecheck pytest validate train test-conversations test \
	check run shell bench bench-load bench-store compare-assertion compare-sign-finders bench-reports bench-picture test-stack web clean distclean purge audit \
	audit-security feedback

help: ## List the targets
	@echo "Usage: make TARGET   (PYTHON=/path/to/python3.10 to choose the interpreter)"
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-20s %s\n", $$1, $$2}' \
		$(MAKEFILE_LIST)

venv: $(INSTALLED) ## Create .venv from requirements.lock (only when missing or the lock changed)
install: $(INSTALLED) ## Same as venv

# The venv is rebuilt from scratch whenever requirements.lock changes, so it never keeps a
# package the lock no longer lists. The .pth file puts the repository root on sys.path.
# pip's "WARNING: Location 'file:...' is ignored" lines (local package indexes named in the
# machine's pip config that do not exist) are dropped; everything else pip says is shown.
$(INSTALLED): requirements.lock
	@py="$$(scripts/find_python.sh "$(PYTHON)")"; \
	echo "Creating $(VENV) with $$py"; \
	rm -rf $(VENV); \
	"$$py" -m venv $(VENV)
	@echo "Installing requirements.lock into $(VENV) (about 2 minutes) ..."
	$(BIN)/pip install --quiet --no-deps --use-pep517 -r requirements.lock 2>&1 \
		| { grep -v "^WARNING: Location 'file:" || true; }
	$(BIN)/pip check
	$(BIN)/python -c 'import sysconfig; print("$(CURDIR)", file=open(sysconfig.get_path("purelib") + "/wbc_bot_repo.pth", "w"))'
	@touch $@

lock: ## Regenerate requirements.lock from requirements.in in a throwaway venv
	@py="$$(scripts/find_python.sh "$(PYTHON)")"; \
	tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; \
	"$$py" -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/pip" install --quiet -r requirements.in; \
	"$$tmp/venv/bin/pip" check; \
	{ sed -n '/^#/p' requirements.lock; "$$tmp/venv/bin/pip" freeze --all | grep -v '^pip=='; } \
		> "$$tmp/lock"; \
	mv "$$tmp/lock" requirements.lock
	@echo "requirements.lock updated; run make install"

lint: $(INSTALLED) ## Ruff lint and format check
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

typecheck: $(INSTALLED) ## mypy over bot, actions, components, channels and server (bot/ strict)
	$(BIN)/mypy bot actions components channels server

# pytest exits 5 when it collects no test; that is not a failure here. Coverage is reported for
# every package; the domain core must keep 95 % (the servers and channels are exercised by the
# stack tests, in processes coverage does not follow).
pytest: $(INSTALLED) ## Unit tests (slow ones too, e.g. the safety grammar), with coverage of every package
	@$(BIN)/pytest -n 2 -m "not stack" --cov=bot --cov=actions --cov=components --cov=channels \
		--cov=server --cov-report=term-missing --cov-fail-under=0 \
		|| { rc=$$?; [ $$rc -eq 5 ] || exit $$rc; }
	@$(BIN)/coverage report --include='bot/*' --fail-under=95 --format=total \
		| sed 's/^/bot\/ coverage (at least 95 %): /'

validate: $(INSTALLED) ## Check the Rasa training data and domain (warnings fail)
	$(RASA) data validate --fail-on-warnings

# Trains only when the training inputs (or the pinned packages) differ from the ones the
# current model was trained on. The fingerprint is a hash of their contents, not their dates.
train: $(INSTALLED) ## Train the Rasa model if data/, config.yml or domain.yml changed
	@new="$$(find data components -type f -name '*' ! -name '*.pyc' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum \
		| cat - <(sha256sum config.yml domain.yml requirements.lock) | sha256sum | cut -d' ' -f1)"; \
	if [ -f $(MODEL) ] && [ "$$(cat $(FINGERPRINT) 2>/dev/null)" = "$$new" ]; then \
		echo "$(MODEL) is up to date"; \
	else \
		rm -f $(FINGERPRINT); \
		$(RASA) train --fixed-model-name $(MODEL_NAME) --out models; \
		echo "$$new" > $(FINGERPRINT); \
	fi

# --e2e makes the story test also check the intent NLU predicts for each user text, not
# only the next action; without it a story with a misclassified message still passes.
test-conversations: train ## Test stories in tests/ and the held-out NLU set in tests/nlu/
	SUBJECT_ENTITIES=off $(RASA) test core --e2e --model $(MODEL) --stories tests/ \
		--fail-on-prediction-errors \
		--out $(RESULTS)/core
	@if [ -d tests/nlu ]; then \
		$(RASA) test nlu --model $(MODEL) --nlu tests/nlu/ --out $(RESULTS)/nlu && \
		$(BIN)/python scripts/check_nlu_results.py $(RESULTS)/nlu; \
	fi
	$(BIN)/python scripts/evaluate_corpus.py --model $(MODEL) --min-fully-right 0.85
	$(BIN)/python scripts/check_templated.py --model $(MODEL) --min-accuracy 0.90

# The chat widget (rasa-webchat) comes from the npm registry, pinned by web/package-lock.json
# (install scripts off), and is served from web/static/vendor/ (no CDN at run time). The copy
# drops the widget's @import of Google Fonts, so a page with the widget contacts no third party.
# axe-core, pinned the same way, stays in web/node_modules/ for the browser tests.
WEB_STAMP := web/node_modules/.installed
WEB_VENDOR := web/static/vendor/rasa-webchat.js
web: $(WEB_VENDOR) ## Install the chat widget from npm (pinned) into web/static/vendor/
$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@
$(WEB_VENDOR): $(WEB_STAMP)
	mkdir -p $(@D)
	cp web/node_modules/rasa-webchat/LICENSE $(@D)/rasa-webchat.LICENSE
	sed 's#@import url(https://fonts.googleapis.com/[^)]*);##g' \
		web/node_modules/rasa-webchat/lib/index.js > $@.tmp
	@if grep -q 'fonts.googleapis.com' $@.tmp; then \
		echo "$@: the widget still loads Google Fonts; fix the sed above" >&2; exit 1; fi
	mv $@.tmp $@

# The servers run as they do for `make run`, on free loopback ports; Chromium, PostgreSQL and
# Redis come from Debian (.ci/run installs them) and the widget from npm (make web).
test-stack: train web ## Channel, browser, store and fault tests against the real servers
	$(BIN)/pytest -m stack --durations=15

# Issue 27's probes against the bot as `make run` starts it (its own free ports, SQLite file and
# logs; Telegram against the fake Bot API): other channels' conversations, forged widget
# sessions, the upload route, the REST token, metadata and conversations that cannot be read.
SECURITY_TESTS := tests/channels/test_security.py
audit-security: train web ## Probes of who can reach a conversation and what can spoil it
	$(BIN)/pytest -m stack -p no:cacheprovider $(SECURITY_TESTS)

# One line per stage; each stage's whole output (Rasa's and TensorFlow's warnings and progress
# bars included) goes to results/logs/STAGE.log and is shown in full only when the stage fails.
STAGE := scripts/stage.sh
PASSED := '[0-9]+ passed'

test: ## Every check, in CI order: provision lint typecheck audit pytest validate train test-conversations test-stack
	@rm -f $(RESULTS)/logs/summary.txt
	@$(STAGE) provision -- scripts/provision.sh
	@$(STAGE) install -- $(MAKE) install
	@$(STAGE) lint -- $(MAKE) lint
	@$(STAGE) typecheck --summary 'Success|error' -- $(MAKE) typecheck
	@$(STAGE) audit --summary 'KEV|NOT CHECKED|vulnerab' -- $(MAKE) audit
	@$(STAGE) pytest --summary $(PASSED) -- $(MAKE) pytest
	@$(STAGE) validate -- $(MAKE) validate
	@$(STAGE) train --summary 'up to date|Your Rasa model is trained' -- $(MAKE) train
	@$(STAGE) test-conversations --summary 'macro-F1|fully right' -- $(MAKE) test-conversations
	@$(STAGE) web -- $(MAKE) web
	@$(STAGE) test-stack --summary $(PASSED) -- $(MAKE) test-stack
	@echo "All checks passed (logs in $(RESULTS)/logs/)."

# The fast loop: no network, no browser, no training. The unit tests run as two pytest processes
# at once, each collecting only its own modules: the core's tests (bot/ alone, so spaCy skips
# probing TensorFlow: tests/no_ml_backends.py) and all the others (Rasa, the servers). Half the
# time of one process, or of pytest-xdist, whose workers each import everything.
UNIT_TESTS := $(BIN)/pytest -m "not stack and not slow" -q -p no:cacheprovider -p no:xdist
CORE_TESTS := tests/bot tests/reports
check: $(INSTALLED) ## Lint, types and the unit tests (not slow, not stack): about 40 s on two cores
	@$(STAGE) lint -- $(MAKE) lint
	@$(STAGE) typecheck --summary 'Success|error' -- $(MAKE) typecheck
	@$(STAGE) core-tests --summary $(PASSED) -- \
		$(UNIT_TESTS) -p tests.no_ml_backends $(CORE_TESTS) & core=$$!; \
	rest=0; $(STAGE) other-tests --summary $(PASSED) -- \
		$(UNIT_TESTS) $(addprefix --ignore=,$(CORE_TESTS)) tests || rest=$$?; \
	wait $$core && exit $$rest

run: install train web ## Start the action server, the Rasa server and the widget page (Ctrl-C stops)
	@PYTHONWARNINGS=ignore::DeprecationWarning $(BIN)/python -m server run

shell: install train ## Talk to the bot in the terminal (uses the action server of `make run`)
	@PYTHONWARNINGS=ignore::DeprecationWarning $(BIN)/python -m server shell

bench: $(INSTALLED) ## Time the interpreter (scripts/bench_interpret.py)
	$(BIN)/python scripts/bench_interpret.py

bench-picture: $(INSTALLED) ## Time drawing the range picture: SVG, PNG, text bar (scripts/bench_range_picture.py)
	$(BIN)/python scripts/bench_range_picture.py

# BENCH_LOAD_ARGS passes options on, e.g. "--workers 2 --skip-training-time" (see --help).
bench-load: install train ## Load benchmark vs a `rasa init` bot (scripts/bench_load.py)
	$(BIN)/python scripts/bench_load.py $(BENCH_LOAD_ARGS)

# medspaCy and negspacy are not the bot's dependencies: pinned apart, installed beside the venv.
COMPARE_LIBS := .cache/compare-assertion
compare-assertion: $(INSTALLED) ## Assertion rules vs medspaCy ConText and negspacy (docs/assertion.md)
	@[ "$$(cat $(COMPARE_LIBS)/.lock 2>/dev/null)" = "$$(sha256sum < scripts/compare-assertion.lock)" ] || { \
		rm -rf $(COMPARE_LIBS); \
		$(BIN)/pip install --quiet --no-deps --target $(COMPARE_LIBS) -r scripts/compare-assertion.lock 2>&1 \
			| { grep -v "^WARNING: Location 'file:" || true; }; \
		sha256sum < scripts/compare-assertion.lock > $(COMPARE_LIBS)/.lock; }
	PYTHONPATH=$(COMPARE_LIBS) $(BIN)/python scripts/compare_assertion.py $(COMPARE_ARGS)

SIGN_LIBS := .cache/compare-sign-finders
compare-sign-finders: $(INSTALLED) ## Emergency signs: the rules vs rules + WordLlama nearest meaning (docs/assertion.md)
	@[ "$$(cat $(SIGN_LIBS)/.lock 2>/dev/null)" = "$$(sha256sum < scripts/compare-sign-finders.lock)" ] || { \
		rm -rf $(SIGN_LIBS); \
		$(BIN)/pip install --quiet --no-deps --target $(SIGN_LIBS) -r scripts/compare-sign-finders.lock 2>&1 \
			| { grep -v "^WARNING: Location 'file:" || true; }; \
		sha256sum < scripts/compare-sign-finders.lock > $(SIGN_LIBS)/.lock; }
	PYTHONPATH=$(SIGN_LIBS) $(BIN)/python scripts/compare_sign_finders.py $(COMPARE_ARGS)

bench-store: $(INSTALLED) ## The tracker store's part of a turn vs Rasa's own store (scripts/bench_store.py)
	$(BIN)/python scripts/bench_store.py $(BENCH_STORE_ARGS)

bench-reports: install train ## Typed-message latency while reports are read (scripts/bench_reports.py)
	$(BIN)/python scripts/bench_reports.py $(BENCH_REPORTS_ARGS)

# For cron, e.g. `0 3 * * * cd /srv/wbc-bot && make purge >> var/log/purge.log 2>&1`.
purge: $(INSTALLED) ## Delete conversations idle longer than RETENTION_DAYS (default 30 days)
	@$(BIN)/python -m server purge

# FEEDBACK_ARGS passes options on, e.g. "--channel telegram --days 30".
feedback: $(INSTALLED) ## Votes on the answers ("Was this helpful?") per topic: up, down, share helpful
	@$(BIN)/python scripts/feedback.py $(FEEDBACK_ARGS)

# pip-audit lives in its own venv: its `packaging` requirement conflicts with Rasa's pin.
AUDIT_VENV := .venv-audit
AUDIT_INSTALLED := $(AUDIT_VENV)/.installed
$(AUDIT_INSTALLED): requirements-audit.lock
	@py="$$(scripts/find_python.sh "$(PYTHON)")"; rm -rf $(AUDIT_VENV); "$$py" -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/pip install --quiet --no-deps -r requirements-audit.lock 2>&1 \
		| { grep -v "^WARNING: Location 'file:" || true; }
	$(AUDIT_VENV)/bin/pip check
	@touch $@

# AUDIT_FLAGS=--strict also fails when packages could not be checked (no vulnerability data).
audit: $(AUDIT_INSTALLED) ## pip-audit of requirements.lock; fails on known-exploited CVEs (CISA KEV)
	$(AUDIT_VENV)/bin/python scripts/audit_lock.py requirements.lock $(AUDIT_FLAGS)

clean: ## Remove models, results and caches (keeps .venv)
	rm -rf models $(RESULTS) var .rasa artifacts story_graph.dot htmlcov .coverage .coverage.* \
		.pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean ## clean, and remove .venv too
	rm -rf $(VENV) $(AUDIT_VENV)
