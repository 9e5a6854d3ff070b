# fpplan: two commands do everything on a fresh machine with python3.
#   make dashboards   set up, write the demo county if missing, serve the dashboards on http://127.0.0.1:8866
#   make test         set up (incl. chromium + CJK fonts when root) and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO   := data/demo
PORT   ?= 8866
HOST   ?= 127.0.0.1

.PHONY: install demo dashboards test system-deps benchmark lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

$(DEMO)/units.csv: | $(STAMP)
	$(BIN)/fpplan demo $(DEMO)

demo: $(DEMO)/units.csv

dashboards: install demo
	$(BIN)/python -m fpplan.app.serve --host $(HOST) --port $(PORT)

# Debian chromium and CJK fonts for the browser tests and PDF reports, poppler-utils (pdftotext, pdftoppm) for the
# report tests (only as root, only when missing).
system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto.*cjk" || [ ! -x /usr/bin/pdftoppm ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk poppler-utils >/dev/null; \
	  else echo "note: install chromium, fonts-noto-cjk and poppler-utils (apt-get) for the browser and report tests"; fi; \
	fi

test: install system-deps
	$(BIN)/python -m pytest -q

benchmark: install
	$(BIN)/python benchmarks/run_all.py

lint: install
	$(BIN)/ruff check src tests

clean:
	rm -rf $(VENV) $(DEMO) reports .pytest_cache
