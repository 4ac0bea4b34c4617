# Developer and CI entry points for the meshgate.istio_lb collection.
#
#   make test     the whole suite, in CI order: lint, sanity, units, fuzz-short, dataplane-tests,
#                 build + install-check, ee, docs + docs-check, integration, molecule (stops at
#                 the first failing stage)
#   make docs     the HTML docs site into .build/docs/html (docs-check: checks it in chromium)
#   make demo     run playbooks/demo.yml against the checkout
#   make help     list every target
#
# Works from a clean clone: `.venv` is created from requirements-dev.txt (all pins live there)
# and re-installed only when requirements-dev.txt or requirements.txt change (a link to a venv
# shared by clones, see $(VENV_STAMP) below). Needs python3
# (3.11; ansible-core 2.19), git, make, tar and access to a Python package index.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
.NOTPARALLEL:
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
VENV_STAMP := $(VENV)/.meshgate-requirements.stamp

BUILD := $(CURDIR)/.build
COLLECTIONS := $(BUILD)/collections
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/meshgate/istio_lb
SANITY_ROOT ?= $(BUILD)/sanity/ansible_collections/meshgate/istio_lb
DIST := $(BUILD)/dist
INSTALLED := $(BUILD)/installed

# ansible-test sanity: Python version of the venv (3.11 with the pinned ansible-core) unless
# overridden; extra options, e.g. SANITY_ARGS='--test validate-modules'.
SANITY_PYTHON ?= $(shell test -x $(or $(SANITY_BIN),$(BIN))/python && $(or $(SANITY_BIN),$(BIN))/python -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo 3.11)
SANITY_ARGS ?=
# pytest: extra options for units/integration, e.g. PYTEST_ARGS='-k lb_info -x'.
PYTEST_ARGS ?=
# pytest exit code 5 (nothing collected) fails units/integration: tests that silently
# vanish must not pass CI. Set ALLOW_NO_TESTS=1 locally to accept it while narrowing with -k.
ALLOW_NO_TESTS ?= 0

# Every tool runs from the venv; ansible finds this collection only through the symlink tree.
export PATH := $(BIN):$(PATH)
export VIRTUAL_ENV := $(CURDIR)/$(VENV)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
ifeq ($(CI),true)
export NO_COLOR := 1
export ANSIBLE_NOCOLOR := 1
export PY_COLORS := 0
endif
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# `install-check` builds the tarball itself (never checks a stale one).
STAGES := lint sanity units fuzz-short dataplane-tests install-check ee docs docs-check integration molecule matrix

.PHONY: help venv collections demo lint sanity sanity-run matrix units integration molecule build fuzz fuzz-short fuzz-lib \
        install-check ee test clean distclean bench bench-venv dataplane dataplane-tests \
        docs docs-venv docs-node docs-check

help: ## list targets
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

# --- environment ------------------------------------------------------------------------------

venv: $(VENV_STAMP) ## create/update .venv from requirements-dev.txt

# Re-runs only when a requirements file is newer than the stamp. A venv whose interpreter no
# longer starts (Python moved or upgraded) is recreated. A clone without .venv links it to a
# venv kept per set of requirements and Python version under the cache folder, so a fresh
# clone (every CI run) installs nothing when another clone already did; `make distclean`
# removes the link, never the shared venv. MESHGATE_SHARED_VENV=0 makes .venv a folder.
VENV_CACHE_ROOT := $(or $(MESHGATE_CACHE_DIR),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/meshgate-istio-lb)
VENV_SHARED := $(VENV_CACHE_ROOT)/venv-$(shell { cat requirements-dev.txt requirements.txt; $(PYTHON) --version; } 2>&1 | sha256sum | cut -c1-12)
MESHGATE_SHARED_VENV ?= 1
$(VENV_STAMP): requirements-dev.txt requirements.txt
	@if [ ! -e $(VENV) ] && [ "$(MESHGATE_SHARED_VENV)" = 1 ]; then \
	  if ! $(VENV_SHARED)/bin/python -c '' 2>/dev/null; then \
	    echo "==> creating the shared venv $(VENV_SHARED) with $$($(PYTHON) --version)"; \
	    rm -rf $(VENV_SHARED); mkdir -p $(VENV_CACHE_ROOT); $(PYTHON) -m venv $(VENV_SHARED); \
	  fi; \
	  ln -s $(VENV_SHARED) $(VENV); \
	fi
	@if ! $(BIN)/python -c '' 2>/dev/null; then \
	  echo "==> creating $(VENV) with $$($(PYTHON) --version)"; \
	  rm -rf $(VENV); $(PYTHON) -m venv $(VENV); \
	fi
	@# pip runs from the venv's real path: the scripts it installs name their interpreter by the
	@# path pip was started from, which must outlive this clone when the venv is shared.
	@echo "==> installing requirements-dev.txt into $(VENV)"
	@py="$$(cd $(VENV) && pwd -P)/bin/python"; \
	  "$$py" -m pip install -q "$$(grep -E '^pip==' requirements-dev.txt)" && \
	  "$$py" -m pip install -q -r requirements-dev.txt && \
	  "$$py" -m pip check
	@touch $@

collections: ## symlink .build/collections/ansible_collections/meshgate/istio_lb -> repo root
	@mkdir -p $(dir $(COLLECTION_LINK))
	@ln -sfn ../../../.. $(COLLECTION_LINK)
	@test -f $(COLLECTION_LINK)/galaxy.yml

# --- run --------------------------------------------------------------------------------------

demo: venv collections ## run playbooks/demo.yml
	ansible-playbook playbooks/demo.yml

# --- benchmarks (not tests: see bench/README.md) ----------------------------------------------

BENCH_VENV := .build/bench-venv
BENCH_ARGS ?=

bench-venv: ## venv with the `ansible` wheel (kubernetes.core) for the k8s_info comparison
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q -r bench/requirements.txt

bench: venv collections bench-venv ## run bench/run.py (BENCH_ARGS=...), write docs/benchmarks.md
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/report.py

# --- documentation site (docs/testing.md#the-documentation-site) -----------------------------

# Its own venv (requirements-docs.txt: antsibull-docs, Sphinx, myst-parser, the Ansible theme)
# and npm packages (tests/docs/package-lock.json: mermaid, playwright-core), each kept once per
# content hash of its pins under the cache folder, as the dev venv is, so a fresh clone (every
# CI run) installs nothing when another clone already did. .build/docs-node links to the npm one.
DOCS_OUT := $(BUILD)/docs
DOCS_VENV := $(VENV_CACHE_ROOT)/docs-venv-$(shell { cat requirements-docs.txt; $(PYTHON) --version; } 2>&1 | sha256sum | cut -c1-12)
DOCS_NODE_SHARED := $(VENV_CACHE_ROOT)/docs-node-$(shell { cat tests/docs/package.json tests/docs/package-lock.json; node --version; } 2>&1 | sha256sum | cut -c1-12)
DOCS_NODE := $(BUILD)/docs-node
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM

docs-venv: ## the docs venv from requirements-docs.txt (cached per hash of the file)
	@mkdir -p $(VENV_CACHE_ROOT)
	@flock $(DOCS_VENV).lock bash -euo pipefail -c ' \
	  if [ -f $(DOCS_VENV)/.meshgate-installed ] && $(DOCS_VENV)/bin/python -c "" 2>/dev/null; then exit 0; fi; \
	  echo "==> creating the docs venv $(DOCS_VENV) from requirements-docs.txt"; \
	  rm -rf $(DOCS_VENV); $(PYTHON) -m venv $(DOCS_VENV); \
	  $(DOCS_VENV)/bin/python -m pip install -q "$$(grep -E "^pip==" requirements-docs.txt)"; \
	  $(DOCS_VENV)/bin/python -m pip install -q -r requirements-docs.txt; \
	  $(DOCS_VENV)/bin/python -m pip check; \
	  touch $(DOCS_VENV)/.meshgate-installed'

docs-node: ## npm ci of tests/docs (mermaid, playwright-core), cached per hash of the lock file
	@mkdir -p $(VENV_CACHE_ROOT) $(BUILD)
	@flock $(DOCS_NODE_SHARED).lock bash -euo pipefail -c ' \
	  if [ -f $(DOCS_NODE_SHARED)/.meshgate-installed ]; then exit 0; fi; \
	  echo "==> npm ci of tests/docs into $(DOCS_NODE_SHARED)"; \
	  rm -rf $(DOCS_NODE_SHARED); mkdir -p $(DOCS_NODE_SHARED); \
	  cp tests/docs/package.json tests/docs/package-lock.json $(DOCS_NODE_SHARED)/; \
	  cd $(DOCS_NODE_SHARED) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; \
	  touch $(DOCS_NODE_SHARED)/.meshgate-installed'
	@ln -sfn $(DOCS_NODE_SHARED) $(DOCS_NODE)

docs: collections docs-venv docs-node ## the HTML docs site into .build/docs/html (antsibull-docs + Sphinx, offline)
	$(DOCS_VENV)/bin/python hacking/build_docsite.py --out $(DOCS_OUT) --node-modules $(DOCS_NODE)/node_modules

# Checks the site `make docs` built last (`make docs docs-check` to rebuild first), in Debian's
# chromium (tests/docs/install-chromium.sh installs it with apt-get when it is missing).
docs-check: docs-node ## every page of the built site in headless chromium: console errors, links, Mermaid
	@test -f $(DOCS_OUT)/html/index.html || { echo "ERROR: no site in $(DOCS_OUT)/html: run make docs first"; exit 1; }
	@bash tests/docs/install-chromium.sh
	MESHGATE_DOCS_HTML=$(DOCS_OUT)/html MESHGATE_DOCS_NODE_MODULES=$(DOCS_NODE)/node_modules \
	  node --test --test-reporter=spec tests/docs/site.test.mjs

# --- static checks ----------------------------------------------------------------------------

lint: venv collections ## ansible-lint (production), black, ruff, yamllint, changelog fragments, shellcheck
	@failed=""; \
	echo "==> ansible-lint"; ansible-lint -c .ansible-lint || failed="$$failed ansible-lint"; \
	echo "==> black --check"; black --check . || failed="$$failed black"; \
	echo "==> ruff check"; ruff check --no-cache . || failed="$$failed ruff"; \
	echo "==> yamllint"; yamllint --strict -c .yamllint . || failed="$$failed yamllint"; \
	echo "==> antsibull-changelog lint"; antsibull-changelog lint || failed="$$failed changelog"; \
	echo "==> shellcheck"; shellcheck -x .ci/run $$(find . \( -path ./.venv -o -path ./.build -o -path ./.git \
	  -o -path ./tests/output \) -prune -o -name '*.sh' -type f -print) || failed="$$failed shellcheck"; \
	if [ -n "$$failed" ]; then echo "lint FAILED:$$failed"; exit 1; fi

# Upstream manifests kept byte-for-byte (see their PROVENANCE.md) are data, not our content, and
# the tests' Helm charts hold Go templates, not YAML, and the fuzz corpora are raw bytes (any
# line ending, NUL, invalid UTF-8), and the migrate cases are multi-document manifests as
# `kubectl apply -f` takes them (yamllint's rule wants one document): left out of the sanity
# copy (lint's yamllint still checks the migrate cases), so the ignore file stays empty.
SANITY_SKIP := tests/crds tests/charts tests/fuzz/corpus tests/dataplane/migrate_cases tests/migrate

# ansible-test accepts only a real .../ansible_collections/meshgate/istio_lb directory (it
# resolves a symlinked cwd, also when it re-executes itself inside --venv), so sanity runs on a
# fresh copy of the files git would see: tracked + untracked-not-ignored, never .venv/.build.
#
# --venv makes ansible-test build one venv per sanity test (cached in ~/.ansible/test/venv).
# Bootstrapping each venv downloads get-pip from a host that is unreachable offline; the
# stand-in below (ansible-test's documented cache path) installs the same pinned pip from the
# package index instead, with the system CA bundle since ansible-test strips the environment.
define GET_PIP_STANDIN
# Offline stand-in for ansible-test's get-pip bootstrap; written by meshgate.istio_lb `make sanity`.
# ansible-test runs it inside a fresh venv with the arguments for pip (e.g. pip==24.2).
import ensurepip
import os
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
ensurepip.bootstrap(upgrade=True)

from pip._internal.cli.main import main  # noqa: E402

cert = []
for bundle in ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"):
    if os.path.isfile(bundle):
        cert = ["--cert", bundle]
        break
sys.exit(main(["install", "--upgrade", "--force-reinstall"] + cert + args))
endef
export GET_PIP_STANDIN

sanity: venv ## ansible-test sanity --venv (offline bootstrap), on a copy under .build/sanity
	@$(MAKE) sanity-run

# The sanity run itself, with the ansible-test of $(SANITY_BIN) (the main venv unless given):
# tests/matrix/run.py runs it with each matrix cell's venv and its own SANITY_ROOT.
SANITY_BIN ?= $(BIN)
sanity-run:
	@export PATH="$(SANITY_BIN):$$PATH"; \
	pipver="$$($(SANITY_BIN)/python -c 'import re, ansible_test._internal.python_requirements as m; \
	  print(re.search(r"pip=.([0-9.]+).", open(m.__file__).read()).group(1))')"; \
	cache="$$HOME/.ansible/test/cache/get_pip_$${pipver//./_}.py"; \
	if [ ! -f "$$cache" ] || grep -q 'meshgate.istio_lb `make sanity`' "$$cache"; then \
	  mkdir -p "$$(dirname "$$cache")"; printf '%s\n' "$$GET_PIP_STANDIN" > "$$cache"; \
	  echo "==> pip $$pipver bootstrap stand-in: $$cache"; \
	else echo "==> using existing pip $$pipver bootstrap script: $$cache"; fi
	@rm -rf $(SANITY_ROOT); mkdir -p $(SANITY_ROOT)
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  git ls-files -z -co --exclude-standard \
	    | { grep -zv $(foreach d,$(SANITY_SKIP),-e '^$(d)/') || true; } \
	    | tar --null --no-recursion --ignore-failed-read -T - -cf - \
	    | tar -xf - -C $(SANITY_ROOT); \
	else \
	  echo "==> not a git checkout: copying everything but venvs and build output"; \
	  tar --exclude=./.venv --exclude=./.build --exclude=./.git --exclude=./tests/output \
	      $(foreach d,$(SANITY_SKIP),--exclude=./$(d)) \
	      --exclude='__pycache__' -cf - . | tar -xf - -C $(SANITY_ROOT); \
	fi
	@# An empty git repo makes ansible-test list exactly these files; without one it would find
	@# the enclosing checkout's .git, where .build/ is ignored, and skip every target.
	@git -C $(SANITY_ROOT) init -q
	@echo "==> $$($(SANITY_BIN)/ansible-test --version) sanity --venv --python $(SANITY_PYTHON) in $(SANITY_ROOT) ($$(find $(SANITY_ROOT) -type f | wc -l) files)"
	cd $(SANITY_ROOT) && PATH="$(SANITY_BIN):$$PATH" $(SANITY_BIN)/ansible-test sanity --venv --python $(SANITY_PYTHON) --color no $(SANITY_ARGS)

# --- tests ------------------------------------------------------------------------------------

# $(call pytest,<path>): pytest, with exit code 5 (no tests collected) reported as a failure.
define pytest
@rc=0; pytest $(1) $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then \
	  if [ "$(ALLOW_NO_TESTS)" = 1 ]; then echo "==> no tests collected in $(1) (ALLOW_NO_TESTS=1)"; exit 0; fi; \
	  echo "ERROR: pytest collected no tests in $(1) (exit 5); this stage must run tests."; exit 1; \
	fi; exit $$rc
endef

units: venv collections ## pytest tests/unit
	$(call pytest,tests/unit)

# Coverage-guided fuzzing (tests/fuzz, docs/reliability.md#fuzzing): atheris from
# requirements-fuzz.txt, installed once per hash of that file under the cache folder (pip
# --target, beside the dev venv, whose Python it runs on). FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
FUZZ_ARGS ?=
FUZZ_LIB := $(VENV_CACHE_ROOT)/fuzz-lib-$(shell { cat requirements-fuzz.txt; $(PYTHON) --version; } 2>&1 | sha256sum | cut -c1-12)

fuzz-lib: venv ## install atheris (requirements-fuzz.txt) into the cache folder, once per hash
	@mkdir -p $(VENV_CACHE_ROOT)
	@flock $(FUZZ_LIB).lock bash -euo pipefail -c ' \
	  if [ -f $(FUZZ_LIB)/.meshgate-installed ]; then exit 0; fi; \
	  echo "==> installing requirements-fuzz.txt into $(FUZZ_LIB)"; \
	  rm -rf $(FUZZ_LIB); $(BIN)/python -m pip install -q --target $(FUZZ_LIB) -r requirements-fuzz.txt; \
	  touch $(FUZZ_LIB)/.meshgate-installed'

fuzz: venv collections fuzz-lib ## fuzz every target for FUZZ_SECONDS (60) each; a crash fails (FUZZ_ARGS='--target plan')
	$(BIN)/python tests/fuzz/run.py --seconds $(FUZZ_SECONDS) --path $(FUZZ_LIB) $(FUZZ_ARGS)

# CI's run is of fixed length and seed from the committed seeds only, so a commit always gets the
# same verdict (a time-bounded run explores differently on a loaded machine); the open-ended
# search is `make fuzz`, whose crashes become regression tests.
FUZZ_SHORT_RUNS ?= 1500
fuzz-short: ## the make test stage: every target for 1500 executions, seed 1 (repeatable)
	@$(MAKE) fuzz FUZZ_SECONDS=120 FUZZ_ARGS="--runs $(FUZZ_SHORT_RUNS) --seed 1 $(FUZZ_ARGS)"

# --durations: the slowest tests in every log, to see where the CI budget goes.
integration: venv collections ## pytest tests/integration (real control plane)
	$(call pytest,tests/integration --durations=15)

dataplane-tests: venv collections ## pytest tests/dataplane (Istio's config generator + simulator)
	$(call pytest,tests/dataplane)

# The data-path oracle on any folder of objects (see docs/dataplane.md).
SRC ?=
HOPS ?=
dataplane: venv ## the oracle on a folder: make dataplane SRC=<dir> [HOPS=<hops.json>]
	@test -n "$(SRC)" || { echo "usage: make dataplane SRC=<folder of objects> [HOPS=<hops.json>]"; exit 2; }
	$(BIN)/python tests/dataplane/oracle.py "$(SRC)" $(if $(HOPS),--hops "$(HOPS)")

MOLECULE_LOCAL := controlplane role_standalone_mtls role_chained_gateway role_gclb_chained
# Need Docker and internet (kind, Istio, the vendor's manifest): syntax-checked here.
MOLECULE_KIND := kind kind_standalone_mtls kind_chained_gateway

molecule: venv collections ## molecule test of every local scenario; molecule syntax of the kind ones
	@for s in $(MOLECULE_LOCAL); do echo "==> molecule test -s $$s"; molecule test -s $$s || exit 1; done
	@for s in $(MOLECULE_KIND); do echo "==> molecule syntax -s $$s"; molecule syntax -s $$s || exit 1; done

# The other ansible-core versions (tests/matrix/cells.txt; 2.19 is the main venv's, run by every
# stage above): sanity, units, the demo, ansible-doc, the roles' argument specs, and a live
# Molecule scenario on the oldest and newest. MATRIX_ARGS='--cell 2.16 --check units' narrows it.
MATRIX_ARGS ?=
matrix: venv collections ## every stage that differs by ansible-core, on 2.16, 2.17, 2.18, 2.20, 2.21
	$(BIN)/python tests/matrix/run.py $(MATRIX_ARGS)

# --- package ----------------------------------------------------------------------------------

build: venv ## ansible-galaxy collection build into .build/dist
	@rm -rf $(DIST); mkdir -p $(DIST)
	ansible-galaxy collection build --force --output-path $(DIST) .
	@tarball="$$(ls $(DIST)/meshgate-istio_lb-*.tar.gz)"; \
	echo "==> $$tarball: $$(du -h "$$tarball" | cut -f1), $$(tar -tzf "$$tarball" | wc -l) entries"

# Installs the built tarball offline into an empty directory and renders the docs of every
# module, filter (plugins/filter/<name>.yml) and role of the INSTALLED copy, which catches
# files lost to build_ignore and docs that only parse in the checkout. ansible-doc exits 0 when
# a plugin is missing, so its JSON output and warnings are checked as well.
define INSTALL_CHECK
tarball="$$(ls "$(DIST)"/meshgate-istio_lb-*.tar.gz)"
export ANSIBLE_COLLECTIONS_PATH="$(INSTALLED)" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
rm -rf "$(INSTALLED)"; mkdir -p "$(INSTALLED)"
ansible-galaxy collection install --offline -p "$(INSTALLED)" "$$tarball"
root="$(INSTALLED)/ansible_collections/meshgate/istio_lb"
cd "$(INSTALLED)"
checked=0; failed=""
check() {
  local type="$$1" fqcn="$$2" out json
  checked=$$((checked + 1))
  if ! out="$$(ansible-doc -t "$$type" "$$fqcn" 2>&1)" \
     || grep -qE '^\[(WARNING|ERROR|DEPRECATION WARNING)\]' <<<"$$out" \
     || ! json="$$(ansible-doc --json -t "$$type" "$$fqcn" 2>/dev/null)" \
     || ! python -c 'import json, sys; d = json.loads(sys.argv[1]); sys.exit(0 if d.get(sys.argv[2]) else 1)' "$$json" "$$fqcn"; then
    echo "FAIL  $$type $$fqcn"; sed 's/^/      /' <<<"$${out:-(ansible-doc printed nothing)}" | head -40
    failed="$$failed $$type:$$fqcn"
  else
    echo "ok    $$type $$fqcn"
  fi
}
modules=0
for f in "$$root"/plugins/modules/*.py; do
  [ -e "$$f" ] || continue
  name="$$(basename "$$f" .py)"; [ "$$name" = __init__ ] && continue
  modules=$$((modules + 1)); check module "meshgate.istio_lb.$$name"
done
for f in "$$root"/plugins/filter/*.yml; do
  [ -e "$$f" ] || continue
  check filter "meshgate.istio_lb.$$(basename "$$f" .yml)"
done
for d in "$$root"/roles/*/; do
  [ -d "$$d" ] || continue
  check role "meshgate.istio_lb.$$(basename "$$d")"
done
echo "==> ansible-doc checked $$checked docs ($$modules modules) of the collection installed from $$tarball"
if [ "$$modules" -eq 0 ]; then echo "FAIL  no module in the installed collection"; exit 1; fi
if [ -n "$$failed" ]; then echo "install-check FAILED:$$failed"; exit 1; fi
endef
export INSTALL_CHECK

install-check: build ## build, install the tarball offline, ansible-doc every module/filter/role
	@bash -euo pipefail -c "$$INSTALL_CHECK"

# No container engine here: the execution environment is checked as far as it goes without one
# (tests/ee: ansible-builder create, the context's galaxy step, ansible-builder introspect).
ee: build ## ansible-builder create on examples/ee/execution-environment.yml, and check the context
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/ee

# --- everything -------------------------------------------------------------------------------

test: venv collections ## lint, sanity, units, fuzz-short, dataplane, install-check, ee, docs + docs-check, integration, molecule
	@start=$$(date +%s); \
	for stage in $(STAGES); do \
	  echo; echo "######## $$stage"; t0=$$(date +%s); \
	  if ! $(MAKE) $$stage; then \
	    echo; echo "######## FAILED: $$stage after $$(( $$(date +%s) - t0 ))s (stages after it were not run)"; \
	    exit 1; \
	  fi; \
	  echo "######## passed: $$stage ($$(( $$(date +%s) - t0 ))s)"; \
	done; \
	echo; echo "######## all stages passed: $(STAGES) ($$(( $$(date +%s) - start ))s)"

clean: ## remove build output (.build, tests/output, caches); keeps .venv
	rm -rf .build tests/output .pytest_cache .ruff_cache .ansible
	find . -path ./.venv -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean ## clean, and remove .venv
	rm -rf $(VENV)
