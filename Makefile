# The two commands for a newcomer: `make book` and `make test` (see README.md).
# Both first create or refresh .venv from the pinned requirements.txt, so a green run never hides an install step.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MATHJAX_DIR := .mathjax_static/mathjax

# Offline data mirror: used before any download. Notebooks run with chapters/ as working directory,
# so the path must be absolute.
ifeq ($(strip $(LOGREG_DATA_DIR)),)
ifneq ($(wildcard ../shared/data/marks.txt),)
LOGREG_DATA_DIR := $(abspath ../shared/data)
endif
else
LOGREG_DATA_DIR := $(abspath $(LOGREG_DATA_DIR))
endif
export LOGREG_DATA_DIR
# Deterministic numerics in notebooks and tests, whatever the machine.
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
export PYTHONHASHSEED := 0

.PHONY: help venv book mathjax test unit nbval lint execute clean assignments grade grade-all bubblewrap browser-test chromium

help:
	@echo "make book   build the HTML book (strict, offline) and print where index.html is"
	@echo "make test   unit tests + strict nbval over every chapter"
	@echo "make lint   ruff"
	@echo "make assignments                             build student notebooks + autograders into _build/assignments"
	@echo "make grade SUBMISSION=x.ipynb ASSIGNMENT=name  grade one submission offline"
	@echo "make grade-all SUBMISSIONS=folder ASSIGNMENT=name  grade a class (sandboxed) into folder/../graded/name"

## --- environment ------------------------------------------------------------------------------------------
venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $@

## --- the book ---------------------------------------------------------------------------------------------
# MathJax is installed from npm at build time and served from the build (not committed), so math renders offline.
$(MATHJAX_DIR)/tex-mml-chtml.js:
	rm -rf .mathjax_static/npm && mkdir -p .mathjax_static/npm $(MATHJAX_DIR)
	npm install --silent --no-save --no-audit --no-fund --prefix .mathjax_static/npm mathjax@3
	cp -r .mathjax_static/npm/node_modules/mathjax/es5/. $(MATHJAX_DIR)/
	rm -rf .mathjax_static/npm
	# keep the one combined component the book loads, and what it loads lazily (TeX extensions, CHTML fonts,
	# the accessibility explorer and speech): 24 MB -> about 9 MB
	find $(MATHJAX_DIR) -maxdepth 1 -name '*.js' ! -name tex-mml-chtml.js -delete
	rm -rf $(MATHJAX_DIR)/output/svg $(MATHJAX_DIR)/output/svg.js $(MATHJAX_DIR)/adaptors

mathjax: $(MATHJAX_DIR)/tex-mml-chtml.js

# JUPYTERHUB_URL=https://hub.example.edu adds a JupyterHub (nbgitpuller) launch button.
JUPYTERHUB_URL ?=
book: venv mathjax
	rm -rf _build/html _build/.doctrees _build/jupyter_execute
	sed 's|^  jupyterhub_url: ""|  jupyterhub_url: "$(JUPYTERHUB_URL)"|' _config.yml > _build_config.yml
	$(BIN)/jupyter-book build . -W -n --keep-going --config _build_config.yml; status=$$?; rm -f _build_config.yml; exit $$status
	@echo "The book is at file://$(abspath _build/html/index.html)"

## --- tests ------------------------------------------------------------------------------------------------
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with nbval_sanitize.cfg

test: venv bubblewrap
	$(BIN)/python -m pytest -p no:cacheprovider -n 2 --dist loadfile $(NBVAL) tests chapters

unit: venv
	$(BIN)/python -m pytest -p no:cacheprovider -q tests

nbval: venv
	$(BIN)/python -m pytest -p no:cacheprovider -n 2 --dist loadfile $(NBVAL) chapters

# Re-execute every chapter in place (notebooks are stored executed: strict nbval compares their outputs).
execute: venv
	cd chapters && for nb in *.ipynb; do ../$(BIN)/jupyter execute --inplace "$$nb" || exit 1; done

## --- the built book in a browser (headless Chromium from Debian, driven by Playwright) -------------------------
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

browser-test: export JUPYTERHUB_URL = http://127.0.0.1:8000
browser-test: book chromium
	BROWSER_TEST=1 $(BIN)/python -m pytest -p no:cacheprovider -q tests/test_html.py tests/test_browser.py
	@echo "Screenshots: $(abspath _build/screenshots)"

## --- classroom assignments (otter-grader; the classroom/ package, see teachers.md) ----------------------------
assignments: venv
	$(BIN)/python -m classroom build

grade: venv bubblewrap
	@test -n "$(SUBMISSION)" -a -n "$(ASSIGNMENT)" || { echo "usage: make grade SUBMISSION=path.ipynb ASSIGNMENT=name"; exit 2; }
	@test -d _build/assignments/$(ASSIGNMENT)/autograder || $(BIN)/python -m classroom build $(ASSIGNMENT)
	$(BIN)/python -m classroom grade "$(SUBMISSION)" "$(ASSIGNMENT)"

# Every file of SUBMISSIONS, sandboxed, WORKERS at a time, into SUBMISSIONS/../graded/ASSIGNMENT/.
WORKERS ?= 2
grade-all: venv bubblewrap
	@test -n "$(SUBMISSIONS)" -a -n "$(ASSIGNMENT)" || { echo "usage: make grade-all SUBMISSIONS=folder ASSIGNMENT=name"; exit 2; }
	@test -d _build/assignments/$(ASSIGNMENT)/autograder || $(BIN)/python -m classroom build $(ASSIGNMENT)
	$(BIN)/python -m classroom grade-all "$(SUBMISSIONS)" "$(ASSIGNMENT)" --workers $(WORKERS)

# Grading runs every submission inside Debian's bubblewrap sandbox (installed when missing, as Chromium is).
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
bubblewrap:
	@command -v bwrap >/dev/null || { $(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap; }

lint: venv
	$(BIN)/ruff check logreg tests $(wildcard benchmarks) chapters

clean:
	rm -rf _build .mathjax_static .pytest_cache .ruff_cache .hypothesis
