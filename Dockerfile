# clusterportal application image: one image for every app service in docker-compose.yml
# (web, worker, beat, migrate). Only the command differs.
#
# Written for the classic builder as well as BuildKit (docker-compose 1.29 uses the
# classic one by default), so no "# syntax=" line, heredocs or cache mounts.
FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (PDF receipts) loads Pango/HarfBuzz at run time, and needs at least one
# font. gettext provides msgfmt for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .

# Fail closed: a container started without its configuration refuses to start (settings
# demand SECRET_KEY and EMAIL_URL in production) instead of running with dev defaults.
# STATIC_ROOT lives in the image, not under VAR_DIR: VAR_DIR is a volume at run time and
# would hide the files collected here.
ENV DJANGO_ENV=production \
    VAR_DIR=/var/lib/clusterportal \
    STATIC_ROOT=/app/staticfiles

# Build-time only: a throw-away SECRET_KEY and a console EMAIL_URL so that production
# settings import. `export` lasts for this RUN's shell alone; neither value is stored in
# the image. `mkdir -p locale` because compilemessages stops with an error when the tree
# has no locale directory at all (LOCALE_PATHS = BASE_DIR/locale); an empty one is a no-op.
RUN export SECRET_KEY="build-only-$(head -c 40 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
           EMAIL_URL=consolemail:// \
    && mkdir -p locale \
    && python manage.py compilemessages \
    && python manage.py collectstatic --noinput

# Non-root. The code stays owned by root (the app cannot rewrite itself); only VAR_DIR
# is the app's. Named volumes mounted on /var/lib/clusterportal or .../private start as
# a copy of these directories, so they inherit this ownership.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app \
    && mkdir -p /var/lib/clusterportal/private \
    && chown -R app:app /var/lib/clusterportal
USER app

EXPOSE 8000

# Shell form through `sh -c` so ${WEB_CONCURRENCY:-3} is expanded at start; `exec` makes
# gunicorn PID 1 so it receives SIGTERM from `docker stop` and shuts down gracefully.
# Access log to stdout; 60 s timeout because rendering a PDF receipt can take a while.
CMD ["sh", "-c", "exec gunicorn clusterportal.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --timeout 60 --access-logfile -"]
