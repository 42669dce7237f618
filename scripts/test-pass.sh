#!/usr/bin/env bash
# One pass of the whole suite: scripts/test-pass.sh sqlite|postgres [pytest arguments...]
# Runs pytest in TEST_WORKERS processes (pytest-xdist, default 2) against the database named,
# prints the pass's wall time, and fails when pytest fails or collected nothing (exit 5).
set -uo pipefail
cd "$(dirname "$0")/.."
database=$1
shift
started=$(date +%s)
TEST_DATABASE="$database" TEST_POSTGRES_URL="$(cat .pg-url)" TEST_REDIS_URL="$(cat .redis-url)" \
  .venv/bin/pytest -p no:cacheprovider -q -n "${TEST_WORKERS:-2}" "$@"
status=$?
echo "== $database pass: $(( $(date +%s) - started )) s, pytest exit $status"
if [ "$status" -eq 5 ]; then
  echo "no tests were collected on $database: failing" >&2
  exit 1
fi
exit "$status"
