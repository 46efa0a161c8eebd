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

.PHONY: install run web worker beat test bench clean

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

install: $(VENV)/.installed $(SANDBOX_SITE)/.installed
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --no-input -v 0
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_course

test: install
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} \
	REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	SECRET_KEY=$${SECRET_KEY:-test-only-secret-key} DEBUG=0 \
	$(VENV)/bin/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .sandbox db.sqlite3 var staticfiles
