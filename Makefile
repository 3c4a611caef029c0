# The two commands of the README: `make run` and `make test`.
# Everything else here is a step they take.

VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run dev test setup messages messages-update migrate lint check-deploy compose-check bench bench-smoke screenshots clean help

help:
	@echo "make run    start the portal (web + Celery worker + beat) with demo data"
	@echo "make dev    the same with Django's debug pages"
	@echo "make test   run the whole test suite"

$(PY):
	@PYTHON=$$(scripts/find-python) || exit 1; \
	echo "Creating $(VENV) with $$PYTHON"; \
	"$$PYTHON" -m venv $(VENV)
	@$(PIP) install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

# Compiled translations are built, not committed. Needs GNU gettext (Debian: gettext).
messages: $(VENV)/.runtime
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: install GNU gettext (Debian/Ubuntu: apt-get install gettext)."; exit 1; }
	@$(PY) manage.py compilemessages --verbosity 0 --ignore '.venv/*'

# After changing interface text: extract the strings (e-mail subjects included), then
# translate the new entries in locale/nl/LC_MESSAGES/django.po.
messages-update: $(VENV)/.runtime
	$(PY) manage.py makemessages -l nl -l en -e html,txt,py,subject --no-obsolete \
	  --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'bench/*'

migrate: $(VENV)/.runtime messages
	$(PY) manage.py migrate --noinput

setup: migrate
	$(PY) manage.py seed_demo

# As the portal's users see it: debugging off (its own Dutch error pages; static files
# served as in production, by WhiteNoise). `make dev` keeps Django's debug pages.
run: setup
	DEBUG=False $(PY) scripts/run_portal.py --host $(HOST) --port $(PORT)

dev: setup
	DEBUG=True $(PY) scripts/run_portal.py --host $(HOST) --port $(PORT)

test: $(VENV)/.dev messages
	$(PY) -m pytest $(PYTEST_ARGS)
	@$(MAKE) --no-print-directory bench-smoke

# Style and the architecture: ruff (with PLC0415: an import inside a function says why),
# and import-linter's contracts in pyproject.toml (intake's layers; intake never imports reviews).
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

check-deploy: $(VENV)/.runtime
	DJANGO_ENV=production SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(60))') \
	  EMAIL_URL=smtp://mail.example.org:587 ALLOWED_HOSTS=portal.example.org \
	  $(PY) manage.py check --deploy --fail-level WARNING

compose-check:
	SECRET_KEY=compose-validation-only docker-compose -f docker-compose.yml config -q

# The benchmarks (bench/): ratios against bare references measured in the same run. With
# BENCH_DATABASE_URL and BENCH_REDIS_URL (PostgreSQL, Redis) and Debian's nginx, the
# deadline benchmark runs the boundary and the rush through the deployed proxy.
bench: $(VENV)/.dev messages
	$(PY) -m bench

# Every benchmark with tiny sizes, in seconds: proves they still run. Part of `make test`.
bench-smoke: $(VENV)/.dev messages
	$(PY) -m bench --smoke

# The README's pictures: the browser crawl (tests/e2e/test_crawl.py) keeps the pages it
# marks, the sign-in journeys (tests/oidc/test_journey.py) the login page with the
# providers' buttons and the refused answer, and the receipt's first page is rendered
# with pdftoppm (Debian: poppler-utils).
SCREENSHOTS_DIR := $(CURDIR)/docs/screenshots

screenshots: $(VENV)/.dev messages
	rm -f $(SCREENSHOTS_DIR)/*.png
	SCREENSHOTS_DIR=$(SCREENSHOTS_DIR) $(PY) -m pytest tests/e2e/test_crawl.py tests/oidc/test_journey.py -q -p no:cacheprovider

clean:
	rm -rf $(VENV) var
