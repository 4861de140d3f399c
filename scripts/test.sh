#!/usr/bin/env bash
# `npm test`: the same provisioning as `npm run up`, against a fresh test database and a Temporal
# dev server of its own, then the whole vitest suite. Extra arguments go to vitest.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$AOS_ROOT"

trap 'aos_stop_started' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

started_at=$SECONDS
mkdir -p "$AOS_DATA_DIR/test"
aos_ensure_node_deps
aos_build_console
aos_build_cli

# Tests never touch the database or the Temporal server of `npm run up`.
unset DATABASE_URL TEMPORAL_ADDRESS
if [ -n "${AOS_TEST_DATABASE_URL:-}" ]; then
  export DATABASE_URL="$AOS_TEST_DATABASE_URL"
else
  aos_ensure_local_postgres
  aos_pg_admin -c "drop database if exists aos_test with (force)" >/dev/null 2>&1 || true
  aos_ensure_database aos_test
fi
if [ -n "${AOS_TEST_TEMPORAL_ADDRESS:-}" ]; then
  export TEMPORAL_ADDRESS="$AOS_TEST_TEMPORAL_ADDRESS"
else
  test_port="${AOS_TEST_TEMPORAL_PORT:-7244}"
  aos_port_open "$test_port" || rm -f "$AOS_DATA_DIR/test/temporal.db"
  aos_ensure_temporal "$test_port" none "$AOS_DATA_DIR/test/temporal.db"
fi
aos_migrate
aos_ensure_rds_admin_role
export AOS_ADMIN_TOKEN="aos_test_admin_$(node -e "process.stdout.write(require('node:crypto').randomBytes(16).toString('hex'))")"
export AOS_DATA_DIR_TEST="$AOS_DATA_DIR/test"
export AOS_SECRET_KEY="test-secret-key-$(node -e "process.stdout.write(require('node:crypto').randomBytes(16).toString('hex'))")"
if aos_ensure_docker; then
  [ -z "${AOS_DOCKER_HOST:-}" ] || aos_docker_build_test_image
else
  aos_log "no Docker engine: Docker tests will be skipped"
fi
aos_ensure_chromium || aos_log "no chromium: the browser tests (GraphiQL, console) will be skipped"
aos_log "services ready in $((SECONDS - started_at)) s; running the suite"

set +e
if [ $# -eq 0 ]; then
  # The whole suite starts with the static checks: types (strict), lint (no import cycles, no
  # floating promises, workflows import nothing with IO) and unused files and dependencies (knip).
  aos_log "typecheck, lint and unused code"
  npx tsc -p tsconfig.json --noEmit || { aos_log "typecheck failed"; exit 1; }
  npx tsc -p console/tsconfig.json --noEmit || { aos_log "typecheck of the console failed"; exit 1; }
  npx eslint . || { aos_log "lint failed"; exit 1; }
  npx knip --no-progress || { aos_log "unused files or dependencies (knip) found"; exit 1; }
fi
if [ "${1:-}" = bench ]; then
  shift
  npx vitest bench --run "$@"
else
  results="$AOS_DATA_DIR/test/results.json"
  rm -f "$results"
  npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@"
fi
status=$?
if [ -s "${results:-}" ]; then
  # The plain closing line CI reads: N passed, N failed (, N skipped).
  node -e "const r=require(process.argv[1]); console.log(\`\${r.numPassedTests} passed, \${r.numFailedTests} failed, \${r.numPendingTests + r.numTodoTests} skipped\`)" "$results"
fi
aos_log "suite finished with status $status after $((SECONDS - started_at)) s"
exit "$status"
