#!/usr/bin/env bash
# `npm run up`: provision what is missing, start Temporal (dev server), the worker and the API,
# print where they are; Ctrl-C stops everything this script started.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$AOS_ROOT"

trap 'aos_log "stopping"; aos_stop_started' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

started_at=$SECONDS
mkdir -p "$AOS_DATA_DIR"
aos_ensure_node_deps
aos_build_console
aos_build_cli
aos_ensure_database aos
aos_ensure_temporal "${AOS_TEMPORAL_PORT:-7233}" "${AOS_TEMPORAL_UI_PORT:-8233}" "$AOS_DATA_DIR/temporal/temporal.db"
aos_migrate
aos_ensure_admin_token
aos_ensure_secret_key
aos_ensure_docker || aos_log "no Docker engine: DOCKER clusters cannot deploy (AOS_DOCKER=off skips this)"
# The API registers this engine as the `local` cluster of the default tenant.
export AOS_LOCAL_DOCKER_HOST="${AOS_DOCKER_HOST:-}"

port="${AOS_PORT:-4000}"
node --import tsx src/worker.ts &
AOS_STARTED_PIDS+=("$!")
node --import tsx src/server.ts &
AOS_STARTED_PIDS+=("$!")

url="http://127.0.0.1:$port/graphql"
aos_wait_for 60 api curl -fsS "http://127.0.0.1:$port/health" || aos_die "the API did not answer on $url"

ui="http://127.0.0.1:${AOS_TEMPORAL_UI_PORT:-8233}"
console_url="http://127.0.0.1:$port/console/  (sign in with the admin token)"
[ "${AOS_CONSOLE:-}" != off ] || console_url="(off: AOS_CONSOLE=off)"
graphiql="$url  (paste the admin token into its Headers tab)"
[ "${NODE_ENV:-}" != production ] || graphiql="(off: NODE_ENV=production)"
worker_metrics="http://${AOS_WORKER_METRICS_HOST:-127.0.0.1}:${AOS_WORKER_METRICS_PORT:-9464}/metrics"
[ "${AOS_WORKER_METRICS_PORT:-9464}" != 0 ] || worker_metrics="(off: AOS_WORKER_METRICS_PORT=0)"
[ "${TEMPORAL_ADDRESS}" = "127.0.0.1:${AOS_TEMPORAL_PORT:-7233}" ] || ui="(external Temporal at $TEMPORAL_ADDRESS)"
cat <<MSG

  AOS is up (ready in $((SECONDS - started_at)) s)
    Console (in a browser):       $console_url
    GraphQL (HTTP + graphql-ws):  $url
    GraphiQL (in a browser):      $graphiql
    Admin token:                  $AOS_ADMIN_TOKEN
    Temporal UI:                  $ui
    Metrics (Prometheus):         http://127.0.0.1:$port/metrics (API), $worker_metrics (worker)
    Data directory:               $AOS_DATA_DIR

  Try:  curl -s $url -H "Authorization: Bearer \$AOS_ADMIN_TOKEN" -H 'content-type: application/json' \\
          -d '{"query":"{ viewer { name role tenant { name } } }"}'
  Ctrl-C stops everything this command started.

MSG

# Stay up until a child dies or we are interrupted; either way the EXIT trap stops the rest.
set +e
wait -n "${AOS_STARTED_PIDS[@]}"
status=$?
aos_log "a service exited (status $status): stopping the others"
exit "$status"
