# VAE COS — every entry point a developer or CI needs.
# `make run`  : set everything up and serve http://127.0.0.1:8000 (SQLite by default)
# `make test` : set up what the tests need, run the quality gate and the whole suite
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
VPY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $$HOME/.pyenv)

# First interpreter found that really runs and is 3.12 or newer. pyenv's shims refuse to run
# unless PYENV_VERSION names them, so the versions' own binaries are tried directly.
# 3.12 (the version the lock files are compiled for) is preferred, then anything newer.
PYTHON ?= $(shell for c in python3.12 $$(ls -d $(PYENV_ROOT)/versions/3.12*/bin/python3 2>/dev/null) \
	python3.13 python3.14 $$(ls -d $(PYENV_ROOT)/versions/3.1[3-9]*/bin/python3 2>/dev/null) python3; do \
	  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	    command -v $$c; break; fi; done)

.PHONY: help run setup test test-suite quality bench lock worker clean chromium

help:
	@echo "make run    — installe tout et lance la plateforme sur http://$(HOST):$(PORT)"
	@echo "make test   — installe ce qu'il faut aux tests, contrôle qualité, puis toute la suite"
	@echo "make bench  — mesure l'enregistrement automatique sous gunicorn, les documents face à LibreOffice, la détection des données personnelles, la reprise après un arrêt brutal (SIGKILL) et les listes à 100 000 parcours"

$(VENV)/.python-ok:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "ERREUR : Python 3.12 ou plus récent est introuvable."; \
	  echo "Installez-le (par exemple : pyenv install 3.12) ou indiquez-le : make run PYTHON=/chemin/vers/python3.12"; \
	  exit 1; fi
	@echo "Python utilisé : $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	touch $@

$(VENV)/.runtime: requirements.txt $(VENV)/.python-ok
	$(VPY) -m pip install --quiet --require-hashes -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(VPY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

setup: $(VENV)/.runtime node_modules/.installed
	$(VPY) manage.py migrate --noinput
	$(VPY) manage.py load_referentiel
	$(VPY) manage.py load_demo

# Beside the server: the tasks worker, and the loop that hands it the admissibility checks at
# start then every ADMISSIBILITY_CHECK_INTERVAL seconds (3600 by default). Ctrl+C stops the
# server; the trap then sends SIGTERM to the other two and waits: the worker ends the task it
# is running, then stops. The worker runs in its own session (setsid) so that Ctrl+C does not
# reach it too: a second signal would make it abandon that task. (--no-reload: the reloader
# would kill that task as well; restart make run after changing code.)
run: setup
	@echo "Plateforme sur http://$(HOST):$(PORT) — comptes de démonstration : candidat@demo.test, accompagnateur@demo.test, instructeur@demo.test, jury@demo.test, jury2@demo.test, admin@demo.test (mot de passe : demo, ou DEMO_PASSWORD)"
	trap 'kill $$worker $$checks 2>/dev/null; wait' EXIT; \
	setsid $(VPY) manage.py db_worker --no-reload & worker=$$!; \
	$(VPY) manage.py admissibility_checks --enqueue --every & checks=$$!; \
	$(VPY) manage.py runserver $(HOST):$(PORT)

# The tasks worker alone (beyond one machine: one or more of these beside the web servers).
worker: $(VENV)/.runtime
	$(VPY) manage.py db_worker

# Browser tests drive Debian's Chromium (the bundled Playwright download cannot work here).
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "Chromium manque pour les tests dans le navigateur. Installez-le avec :"; \
	    echo "  sudo apt-get update && sudo apt-get install -y chromium"; \
	    exit 1; \
	  fi; \
	fi

quality: $(VENV)/.dev node_modules/.installed
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/djlint templates --lint
	DJANGO_SETTINGS_MODULE=config.django.test $(VPY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/mypy

test-suite: $(VENV)/.dev node_modules/.installed chromium
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: quality test-suite

# `make bench` compares the Livret 2's PDF and DOCX with LibreOffice's conversion (bench/documents.py).
.PHONY: libreoffice
libreoffice:
	@if [ "$$BENCH_SKIP_LIBREOFFICE" != "1" ] && ! command -v libreoffice >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-writer-nogui; \
	  else \
	    echo "LibreOffice manque pour le banc d'essai des documents. Installez-le avec :"; \
	    echo "  sudo apt-get update && sudo apt-get install -y libreoffice-writer-nogui"; \
	    echo "(ou lancez BENCH_SKIP_LIBREOFFICE=1 make bench pour l'ignorer)"; \
	    exit 1; \
	  fi; \
	fi

# The five benchmarks run, even if one fails; make fails if any did. resilience.py and scale.py
# need the local PostgreSQL (127.0.0.1:5432; BENCH_DATABASE_URL / BENCH_SCALE_DATABASE_URL).
bench: $(VENV)/.dev node_modules/.installed libreoffice
	$(VPY) bench/autosave.py; a=$$?; $(VPY) bench/documents.py; d=$$?; $(VPY) bench/pii.py; p=$$?; \
	$(VPY) bench/resilience.py; r=$$?; $(VPY) bench/scale.py; s=$$?; exit $$((a || d || p || r || s))

lock: $(VENV)/.dev
	$(VPY) -m pip install --quiet pip-tools
	$(VENV)/bin/pip-compile -q --generate-hashes --allow-unsafe --strip-extras -o requirements.txt requirements.in
	$(VENV)/bin/pip-compile -q --generate-hashes --allow-unsafe --strip-extras -o requirements-dev.txt requirements-dev.in

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache staticfiles
