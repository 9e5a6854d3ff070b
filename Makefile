# fpplan: three commands do everything on a fresh machine with python3.
#   make dashboards   set up, write the demo county if missing, serve the dashboards on http://127.0.0.1:8866
#   make lab          set up, write the demo county if missing, open the planner's notebooks in JupyterLab
#                     on http://127.0.0.1:8888 (a login token is printed; offline; the project's .venv is the kernel)
#   make test         set up (incl. chromium + CJK fonts when root) and run the whole test suite on every core
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO   := data/demo
PORT   ?= 8866
LAB_PORT ?= 8888
HOST   ?= 127.0.0.1

.PHONY: install bytecode demo dashboards lab test system-deps benchmark lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# the package's bytecode written ahead (as pip does for a package it installs; an editable install does not): the
# processes the server and the tests start (kernels, commands) read it instead of compiling the modules each time,
# also where PYTHONDONTWRITEBYTECODE is set; a module changed since is compiled again here (0.1 s when none is)
bytecode: install
	$(BIN)/python -m compileall -q src tests

$(DEMO)/units.csv: | $(STAMP)
	$(BIN)/fpplan demo $(DEMO)

demo: $(DEMO)/units.csv

dashboards: install bytecode demo
	$(BIN)/fpplan serve --host $(HOST) --port $(PORT)

# Debian chromium and CJK fonts for the browser tests and PDF reports, poppler-utils (pdftotext, pdftoppm) for the
# report tests (only as root, only when missing).
system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto.*cjk" || [ ! -x /usr/bin/pdftoppm ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk poppler-utils >/dev/null; \
	  else echo "note: install chromium, fonts-noto-cjk and poppler-utils (apt-get) for the browser and report tests"; fi; \
	fi

# JupyterLab on notebooks/ only, bound to loopback, with the token Jupyter generates (printed in the address to open);
# the kernel is the .venv's python
# (JupyterLab's own python3 kernel); no update checks or news from the internet.
lab: install demo
	cd notebooks && ../$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(LAB_PORT) \
	  --ServerApp.root_dir=. --ServerApp.open_browser=False --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
	  --LabApp.news_url=None --LabApp.extension_manager=readonly --ServerApp.allow_root=True

# the suite on every core (pytest-xdist); tests that share outputs made once a session carry an xdist_group mark
# and run on one worker (--dist loadgroup)
test: install bytecode system-deps
	$(BIN)/python -m pytest -q -n auto --dist loadgroup

benchmark: install
	$(BIN)/python benchmarks/run_all.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check tests benchmarks

clean:
	rm -rf $(VENV) $(DEMO) reports .pytest_cache
