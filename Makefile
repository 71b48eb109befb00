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

.PHONY: help venv book mathjax pyodide test unit nbval nbval-kernels lint execute clean assignments grade grade-all bubblewrap browser-test chromium texlive pdf axe

help:
	@echo "make book   build the HTML book (strict, offline) and its in-browser site (lite/); print where index.html is"
	@echo "make pdf    build the whole book as one PDF (installs Debian's TeX Live if missing) and print its path"
	@echo "make browser-test  build the book, then check it in headless Chromium: rendering, WCAG 2.1 AA (axe-core), JupyterLite"
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

# The in-browser site (JupyterLite) runs the chapters on the Pyodide core, installed from npm at build time (not
# committed) in the version the pinned jupyterlite-pyodide-kernel expects, and served by the site itself.
PYODIDE_VERSION := 314.0.6
PYODIDE_DIR := .lite_cache/npm/node_modules/pyodide
$(PYODIDE_DIR)/pyodide.mjs:
	rm -rf .lite_cache/npm && mkdir -p .lite_cache/npm
	npm install --silent --no-save --no-audit --no-fund --prefix .lite_cache/npm pyodide@$(PYODIDE_VERSION)

pyodide: $(PYODIDE_DIR)/pyodide.mjs

# JUPYTERHUB_URL=https://hub.example.edu adds a JupyterHub (nbgitpuller) launch button.
JUPYTERHUB_URL ?=
book: venv mathjax pyodide
	rm -rf _build/html _build/.doctrees _build/jupyter_execute
	sed 's|^  jupyterhub_url: ""|  jupyterhub_url: "$(JUPYTERHUB_URL)"|' _config.yml > _build_config.yml
	$(BIN)/jupyter-book build . -W -n --keep-going --config _build_config.yml; status=$$?; rm -f _build_config.yml; exit $$status
	find _build/html/_static -name '*.map' -delete   # the theme's sourcemaps: 3.5 MB no reader needs
	# the download button's copies of the chapters become the reader notebooks (plain Markdown, no raw MyST)
	$(BIN)/python scripts/reader_notebooks.py --out _build/html/_sources/chapters chapters/*.ipynb
	$(BIN)/python scripts/build_lite.py --pyodide $(PYODIDE_DIR) --out _build/html/lite
	@if [ -f _build/latex/$(PDF_NAME).pdf ]; then cp _build/latex/$(PDF_NAME).pdf _build/html/; fi
	@echo "The book is at file://$(abspath _build/html/index.html) ($$(du -sm _build/html | cut -f1) MB)"

## --- tests ------------------------------------------------------------------------------------------------
# nbval executes every chapter and compares each output with the stored one: text exactly, numbers within a relative
# 1e-6 (tests/nbval_numeric.py, loaded by conftest.py), so the last digits a CPU's BLAS kernel prints do not matter.
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with nbval_sanitize.cfg

test: venv bubblewrap
	$(BIN)/python -m pytest -p no:cacheprovider -n 2 --dist loadfile $(NBVAL) tests chapters

unit: venv
	$(BIN)/python -m pytest -p no:cacheprovider -q tests

nbval: venv
	$(BIN)/python -m pytest -p no:cacheprovider -n 2 --dist loadfile $(NBVAL) chapters

# The chapters under each of OpenBLAS's x86-64 kernel families a learner's CPU may pick (numpy's wheels ship them
# all; the variable only chooses among them), as the GitHub workflow's matrix does. About 1 min each.
BLAS_KERNELS := Prescott Haswell SkylakeX Zen
nbval-kernels: venv
	@for kernel in $(BLAS_KERNELS); do echo "== OPENBLAS_CORETYPE=$$kernel"; \
		OPENBLAS_CORETYPE=$$kernel $(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadfile $(NBVAL) chapters \
		|| exit 1; done

# Re-execute every chapter in place (notebooks are stored executed: strict nbval compares their outputs), then
# rebuild the alt texts and captions that are templates over glued numbers (tests/test_chapters.py checks them).
execute: venv
	cd chapters && for nb in *.ipynb; do ../$(BIN)/jupyter execute --inplace "$$nb" && ../$(BIN)/python ../tests/test_chapters.py "$$nb" || exit 1; done

## --- the built book in a browser (headless Chromium from Debian, driven by Playwright) -------------------------
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

## --- the book on paper: Debian's TeX Live (xelatex) and poppler-utils (pdftotext, for tests/test_pdf.py) ------
PDF_NAME := logreg-book
pdf: venv texlive
	rm -rf _build/latex _build/.doctrees _build/jupyter_execute
	$(BIN)/jupyter-book build . --builder pdflatex -W -n --keep-going
	@if [ -d _build/html ]; then cp _build/latex/$(PDF_NAME).pdf _build/html/; fi
	$(BIN)/python -m pytest -p no:cacheprovider -q tests/test_pdf.py
	@echo "The PDF is at $(abspath _build/latex/$(PDF_NAME).pdf) ($$(pdfinfo _build/latex/$(PDF_NAME).pdf | awk '/^Pages:/ {print $$2}') pages)"

TEXLIVE_PACKAGES := latexmk texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended tex-gyre \
	texlive-xetex fonts-freefont-otf xindy poppler-utils
texlive:
	@command -v xelatex >/dev/null && command -v latexmk >/dev/null && command -v pdftotext >/dev/null || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		$(TEXLIVE_PACKAGES); }

# axe-core checks every page against WCAG 2.1 AA; installed from npm at build time like MathJax (not committed).
AXE_VERSION := 4.14.1
AXE_JS := .axe_core/node_modules/axe-core/axe.min.js
$(AXE_JS):
	rm -rf .axe_core && mkdir -p .axe_core
	npm install --silent --no-save --no-audit --no-fund --prefix .axe_core axe-core@$(AXE_VERSION)

axe: $(AXE_JS)

browser-test: export JUPYTERHUB_URL = http://127.0.0.1:8000
browser-test: book chromium axe
	BROWSER_TEST=1 AXE_JS=$(abspath $(AXE_JS)) $(BIN)/python -m pytest -p no:cacheprovider -q -n 2 \
		tests/test_html.py tests/test_lite.py tests/test_browser.py
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
# Linux only: elsewhere (macOS) the sandboxed grading tests skip.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
bubblewrap:
	@[ "$$(uname -s)" != Linux ] || command -v bwrap >/dev/null || { $(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap; }

lint: venv
	$(BIN)/ruff check logreg bookkit classroom scripts _ext tests benchmarks chapters

clean:
	rm -rf _build .mathjax_static .lite_cache .axe_core .pytest_cache .ruff_cache .hypothesis
