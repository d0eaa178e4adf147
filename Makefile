# TrainHub tasks. `make demo` and `make test` are the README's Quick start.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export TRAINHUB_DATABASE_URL ?= sqlite:///$(CURDIR)/instance/demo.sqlite

.PHONY: install demo run test system-deps journeys clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The engine's compiled kernels (the itinerant solver's and the warm network simplex) are compiled
# once, into the on-disk cache, so no solve pays for it.
install: $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m allocation.itinerant --compile
	$(BIN)/python -c 'from allocation.simplex import compile_kernels; compile_kernels()'

demo: install
	mkdir -p instance
	$(BIN)/flask --app trainhub seed-demo --if-empty
	$(BIN)/flask --app trainhub run --host 127.0.0.1 --port 5000

run: install
	$(BIN)/flask --app trainhub run --host 127.0.0.1 --port 5000

# Debian packages the tests drive: Chromium for the browser journeys, a Chinese font so their
# screenshots are legible, and LibreOffice's spreadsheet program to open the exports. Installed
# when missing and when this machine can (root with apt-get); otherwise those tests skip.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "wqy\|noto sans cjk" || missing="$$missing fonts-wqy-microhei"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-calc-nogui"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	    || echo "Could not install$$missing: the tests that need them will be skipped."; \
	fi

test: install system-deps
	$(BIN)/python -m pytest -q

# The browser journeys alone (screenshots in test-artifacts/browser/).
journeys: install system-deps
	$(BIN)/python -m pytest -q -m browser tests/browser

clean:
	rm -rf $(VENV) instance/demo.sqlite .pytest_cache
