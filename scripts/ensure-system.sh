#!/usr/bin/env bash
# Installs and starts what the test suite needs beyond Python packages: Debian's Chromium for
# browser tests, a PostgreSQL server with a `store` role and a Redis server (shared rate-limit
# counters across workers). Safe to run again; skips what is there.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pg_ctlcluster >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 \
  || missing+=(postgresql)
fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# PostgreSQL: start the first cluster (create one if the package made none).
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | grep -q .; then
  $SUDO pg_createcluster "$version" main >/dev/null
fi
read -r cl_version cl_name cl_port cl_status _ < <(pg_lsclusters -h | head -n 1)
if [ "$cl_status" != "online" ]; then
  $SUDO pg_ctlcluster "$cl_version" "$cl_name" start
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$cl_port" && break
  sleep 0.5
done
psql_as_postgres() {
  if [ -z "$SUDO" ]; then runuser -u postgres -- psql -p "$cl_port" -qtAX "$@"
  else sudo -u postgres psql -p "$cl_port" -qtAX "$@"; fi
}
if [ "$(psql_as_postgres -c "SELECT 1 FROM pg_roles WHERE rolname='store'")" != "1" ]; then
  psql_as_postgres -c "CREATE ROLE store LOGIN PASSWORD 'store' CREATEDB"
fi
if [ "$(psql_as_postgres -c "SELECT 1 FROM pg_database WHERE datname='store'")" != "1" ]; then
  psql_as_postgres -c "CREATE DATABASE store OWNER store"
fi
echo "postgresql+psycopg://store:store@127.0.0.1:${cl_port}/store" > .pg-url

# Redis: a private server for the tests on its own port, no persistence.
REDIS_PORT=${REDIS_PORT:-6390}
if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  mkdir -p instance
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize yes --logfile "$(pwd)/instance/redis-test.log" >/dev/null
  for _ in $(seq 1 30); do
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.2
  done
fi
echo "redis://127.0.0.1:${REDIS_PORT}/0" > .redis-url
echo "PostgreSQL ready on port ${cl_port}; Redis on ${REDIS_PORT}; Chromium at /usr/bin/chromium"
