# Dealer Portal — `make run` sets everything up and serves the demo; `make test` runs all tests.
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app portal:create_app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run setup system venv translations fonts static tools db demo test lint worker bench clean

# The worker runs beside the web server, so statement PDFs are rendered right after issue and
# e-mails go out without a second terminal; it stops with the server.
run: setup db demo
	$(VENV)/bin/huey_consumer portal.worker.huey -w 2 -k process & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

setup: system venv translations fonts static tools

system:
	@bash scripts/system-packages.sh

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

translations: venv
	$(PY) scripts/i18n.py compile

# Fingerprinted gzip and brotli copies of static/ that browsers keep for a year
# (portal/core/static_files.py); made again whenever a file of static/ changed.
STATIC_SOURCES := $(shell find static -type f ! -name '*.gz' ! -name '*.br' ! -name cache_manifest.json ! -regex '.*-[0-9a-f]\{32\}\.[a-z]*')
static: static/cache_manifest.json

static/cache_manifest.json: $(VENV)/.installed $(STATIC_SOURCES)
	$(FLASK) digest clean
	$(FLASK) digest compile

# The Nu HTML Checker (npm vnu-jar, pinned in tools/package-lock.json) for tests/test_markup.py;
# no install scripts: Java comes from Debian (scripts/system-packages.sh).
tools: tools/node_modules/.installed

tools/node_modules/.installed: tools/package.json tools/package-lock.json | system
	cd tools && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# The Chinese faces of statement PDFs, extracted and reduced once per host (instance/fonts/).
fonts: system venv
	$(PY) scripts/build_pdf_fonts.py

db: venv
	$(FLASK) db upgrade

demo: venv
	$(FLASK) seed demo

test: setup
	bash scripts/test.sh

lint: venv
	$(VENV)/bin/ruff check .

worker: setup
	$(VENV)/bin/huey_consumer portal.worker.huey -w 2 -k process

clean:
	-$(FLASK) digest clean
	rm -rf $(VENV) instance/*.db instance/*.db-* instance/storage
