# The newcomer's commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SANDBOX_SITE := .sandbox/site
NUMPY_PIN := $(shell grep -E '^numpy==' requirements.txt)

# make test talks to real services; these are the local defaults, override as needed.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/autograder
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: install system-deps run web worker beat test bench clean

# Stamps make a second `make install` a no-op unless the requirements changed.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# The sandbox's interpreter sees numpy and nothing else, so it gets its own package dir.
$(SANDBOX_SITE)/.installed: requirements.txt
	rm -rf $(SANDBOX_SITE)
	$(PY) -m pip install --quiet --target $(SANDBOX_SITE) "$(NUMPY_PIN)"
	touch $@

# A random key for this checkout only (var/ is not committed), so management
# commands run with DEBUG off and nothing configured.
# The pages' browser libraries (KaTeX, CodeMirror, htmx; axe-core for the browser
# tests) come from npm at install time, pinned by package-lock.json, and are
# served from web/static/web/vendor/ (made here, not committed).
VENDOR_STAMP := web/static/web/vendor/.installed
$(VENDOR_STAMP): package.json package-lock.json scripts/vendor_assets.py
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	$(PYTHON) scripts/vendor_assets.py
	touch $@

var/secret_key:
	mkdir -p var
	umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

install: $(VENV)/.installed $(SANDBOX_SITE)/.installed $(VENDOR_STAMP) var/secret_key
	$(PY) scripts/compile_messages.py
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --no-input -v 0
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_course
	DEBUG=$${DEBUG:-1} $(PY) manage.py collectstatic --no-input -v 0

# Debian packages the suite needs (nginx, openssl, chromium, fonts-noto-cjk, npm): as
# root, installs what is missing; otherwise names it. A no-op once they are there.
system-deps:
	bash scripts/system_deps.sh

test: install
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} \
	REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	SECRET_KEY=$${SECRET_KEY:-test-only-secret-key} DEBUG=0 \
	$(VENV)/bin/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .sandbox db.sqlite3 var staticfiles node_modules web/static/web/vendor

# --- Running (see scripts/run.py) ----------------------------------------------
# run: web + worker + beat on one machine; embedded defaults (SQLite, filesystem
# broker) unless DATABASE_URL / REDIS_URL are set. PORT (8000), DEMO_STUDENTS (5).
run: install
	DEBUG=$${DEBUG:-1} $(PY) scripts/run.py

# One process each, configured by the environment: for operators who run web
# and many workers on many machines (migrations are theirs to run: `manage.py migrate`).
web: $(VENV)/.installed
	$(VENV)/bin/gunicorn -c scripts/gunicorn_conf.py config.wsgi

# WORKER_QUEUES=grading for grading-only machines (some worker must consume "default").
worker: $(VENV)/.installed $(SANDBOX_SITE)/.installed
	$(VENV)/bin/celery -A config worker -Q $${WORKER_QUEUES:-grading,default} -l $${LOG_LEVEL:-info}

# Exactly one beat for the whole deployment: it schedules the sweeper.
beat: $(VENV)/.installed
	$(VENV)/bin/celery -A config beat -l $${LOG_LEVEL:-info}

# bench: load over loopback HTTP on PostgreSQL + Redis (its own database
# autograder_bench and Redis db 14 unless BENCH_DATABASE_URL / BENCH_REDIS_URL).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/autograder_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/14
# Grading alone first (warm pool vs cold sandbox, no database), then the mutants
# of one exercise, then question import (a 1,000-question GIFT file), then a
# mutation report through a real worker and similarity over 500 submissions
# (both on PostgreSQL), then the whole path, then an LMS pulling 20,000 grades
# through the feed, then the staff pages of a 1,000-student class, then a quiz
# submit over HTTP, then a grade change pushed to an LMS over LTI AGS, then the
# students' pages (its own database, <name>_web: 1,000 students, 20,000
# submissions) and a precheck in Chromium; every bench but grade_bench exits
# non-zero when a target is missed. --soak 10000 via BENCH_ARGS.
bench: install
	$(PY) bench/grade_bench.py
	$(PY) bench/mutation_bench.py
	DATABASE_URL=$(BENCH_DATABASE_URL) SECRET_KEY=$${SECRET_KEY:-bench-only-secret-key} DEBUG=0 \
	$(PY) bench/import_bench.py
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) \
	SECRET_KEY=$${SECRET_KEY:-bench-only-secret-key} DEBUG=0 \
	$(PY) bench/mutation_bench.py --worker
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) \
	SECRET_KEY=$${SECRET_KEY:-bench-only-secret-key} DEBUG=0 \
	$(PY) bench/similarity_bench.py
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) \
	SECRET_KEY=$${SECRET_KEY:-bench-only-secret-key} DEBUG=0 \
	$(PY) bench/load_bench.py $(BENCH_ARGS)
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) \
	SECRET_KEY=$${SECRET_KEY:-bench-only-secret-key} DEBUG=0 \
	$(PY) bench/lms_feed_bench.py
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) \
	SECRET_KEY=$${SECRET_KEY:-bench-only-secret-key} DEBUG=0 \
	$(PY) bench/staff_bench.py
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) \
	SECRET_KEY=$${SECRET_KEY:-bench-only-secret-key} DEBUG=0 \
	$(PY) bench/quiz_bench.py
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) \
	SECRET_KEY=$${SECRET_KEY:-bench-only-secret-key} DEBUG=0 \
	$(PY) bench/lti_ags_bench.py
	DATABASE_URL=$(BENCH_DATABASE_URL)_web REDIS_URL=$(BENCH_REDIS_URL) \
	SECRET_KEY=$${SECRET_KEY:-bench-only-secret-key} DEBUG=0 \
	$(PY) bench/web_bench.py
