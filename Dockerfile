# SimpleStore in a container: the same Pipfile.lock and the same flask commands as CI.
# Untested on the project's machines (no container engine runs there); see README.
# The storefront scripts (Vue islands) are built by Vite in a Node stage; only static/dist/
# reaches the image.
FROM node:20-bookworm-slim AS scripts
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY vite.config.js ./
COPY frontend ./frontend
RUN npx vite build

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIPENV_VENV_IN_PROJECT=1 \
    PIPENV_VERBOSITY=-1 \
    STORE_ENV=production \
    STORE_LOG_FORMAT=json \
    GUNICORN_BIND=0.0.0.0:8000 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/metrics

WORKDIR /srv/simplestore
RUN pip install --no-cache-dir pipenv \
    && useradd --system --create-home --home-dir /home/simplestore simplestore

# Dependencies first, from the lock only (a stale lock fails the build).
COPY Pipfile Pipfile.lock ./
RUN pipenv install --deploy && rm -rf /root/.cache

COPY . .
COPY --from=scripts /build/static/dist ./static/dist
# Stylesheets and translations are built into the image; the uploads live on a volume.
RUN .venv/bin/python -m store.dev.assets \
    && .venv/bin/pybabel compile -d translations \
    && mkdir -p instance static/uploads /tmp/metrics \
    && chown -R simplestore:simplestore instance static/uploads /tmp/metrics

USER simplestore
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"
# Migrations run once per release (the compose file's `migrate` service), not per container.
CMD [".venv/bin/gunicorn", "-c", "gunicorn.conf.py", "app:app"]
