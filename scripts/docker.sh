# shellcheck shell=bash
# Docker engine for AOS: a bash library, sourced by the provisioning scripts (up, test, CI).
#
#   aos_docker_ensure DATA_DIR     find or start an engine; exports AOS_DOCKER_HOST (+ AOS_DOCKERD_PID)
#   aos_docker_start_private DATA_DIR [POOL [BRIDGE]]
#                                  start (or reuse) our own engine in DATA_DIR, never a machine's;
#                                  a second engine beside the first takes another POOL and BRIDGE=none
#   aos_docker_build_test_image    local images aos-test/httpd:1 and :2, aos-test/pgweb:1 (no registry needed)
#   aos_docker_stop                stop the dockerd that aos_docker_ensure started (by its PID)
#
# Network rule of this project: an engine we start must never reach anything off this machine.
# Every dockerd we start gets HTTP(S)_PROXY pointing at a closed loopback port, so a pull from a
# remote registry fails at once; containers get no route out either (see _aos_dockerd_flags).
#
# AOS_DOCKER=off disables all of it (AOS_DOCKER_HOST is exported empty; Docker tests skip).

AOS_DOCKER_TEST_IMAGE_REPO=${AOS_DOCKER_TEST_IMAGE_REPO:-aos-test/httpd}
AOS_DOCKER_START_TIMEOUT=${AOS_DOCKER_START_TIMEOUT:-60}

_aos_docker_say() { printf '[aos-docker] %s\n' "$*" >&2; }

# The engine binaries. /usr/local/bin/docker on this kind of machine is a lone (newer) client;
# Debian's docker.io puts dockerd, docker-proxy, containerd and runc in /usr/sbin and /usr/bin,
# and /usr/sbin is not on every PATH (non-login shells, CI), so look there explicitly.
_aos_dockerd_bin() {
  if [[ -x /usr/sbin/dockerd ]]; then echo /usr/sbin/dockerd; else command -v dockerd 2>/dev/null; fi
}
# A statically linked busybox for the test image (the image has no libc): Debian's busybox-static,
# or AOS_BUSYBOX naming one.
_aos_busybox_bin() {
  if [[ -n ${AOS_BUSYBOX:-} ]]; then echo "$AOS_BUSYBOX"; return; fi
  dpkg -s busybox-static >/dev/null 2>&1 && [[ -x /bin/busybox ]] && echo /bin/busybox
}
# The client matching the engine when Debian's is installed; any client speaks to the engine
# (API version negotiation) but the matching one avoids surprises.
_aos_docker_cli_bin() {
  if [[ -x /usr/bin/docker ]]; then echo /usr/bin/docker; else command -v docker 2>/dev/null; fi
}
_aos_docker() {
  local cli
  cli=$(_aos_docker_cli_bin) || { _aos_docker_say "no docker client found"; return 127; }
  DOCKER_HOST=$AOS_DOCKER_HOST "$cli" "$@"
}

# True when an engine answers _ping at HOST (unix:///path or tcp://host:port). Loopback only:
# a tcp endpoint elsewhere is not contacted (this project talks to 127.0.0.1/localhost only).
_aos_docker_ping() {
  local host=$1
  case $host in
    unix://*)
      local sock=${host#unix://}
      [[ -S $sock ]] || return 1
      curl -sf --max-time 3 --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1
      ;;
    tcp://127.*|tcp://localhost:*|tcp://\[::1\]:*)
      curl -sf --max-time 3 "http://${host#tcp://}/_ping" >/dev/null 2>&1
      ;;
    tcp://*)
      _aos_docker_say "DOCKER_HOST=$host is not on loopback; not contacting it"
      return 1
      ;;
    *) return 1 ;;
  esac
}

# psql itself for the database page image: Debian's postgresql-client installs it as
# /usr/lib/postgresql/<major>/bin/psql (/usr/bin/psql is a Perl wrapper that picks a version, of
# no use inside an image without Perl). The newest major version, or AOS_PSQL naming one.
_aos_psql_bin() {
  if [[ -n ${AOS_PSQL:-} ]]; then echo "$AOS_PSQL"; return; fi
  local found
  found=$(compgen -G '/usr/lib/postgresql/*/bin/psql' | sort -V | tail -n 1)
  [[ -n $found && -x $found ]] && echo "$found"
}

# Installs the Debian packages that are missing (docker.io for dockerd, busybox-static and
# postgresql-client for the test images), running apt-get update at most once per shell.
_aos_docker_install_packages() {
  local -a missing=()
  [[ -n $(_aos_dockerd_bin) ]] || missing+=(docker.io)
  [[ -n $(_aos_busybox_bin) ]] || missing+=(busybox-static)
  [[ -n $(_aos_psql_bin) ]] || missing+=(postgresql-client)
  ((${#missing[@]})) || return 0
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    _aos_docker_say "missing ${missing[*]} and cannot install (need root on Debian); install them or set AOS_DOCKER=off"
    return 1
  fi
  _aos_docker_say "installing ${missing[*]} (Debian packages)"
  # Packages must not start services: a system dockerd would listen on /var/run/docker.sock
  # without our proxy settings. Debian images usually carry a policy-rc.d that forbids it;
  # add one for the install when this machine has none.
  local own_policy=''
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1
  fi
  # apt's chatter goes to a log (shown when it fails) so provisioning output stays readable.
  local apt_log
  apt_log=$(mktemp "${TMPDIR:-/tmp}/aos-apt.XXXXXX.log")
  local rc=0
  if [[ -z ${_AOS_APT_UPDATED:-} ]]; then
    apt-get -o DPkg::Lock::Timeout=600 update >>"$apt_log" 2>&1 || rc=$?
    _AOS_APT_UPDATED=1
  fi
  ((rc)) || DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y \
    --no-install-recommends "${missing[@]}" >>"$apt_log" 2>&1 || rc=$?
  if ((rc)); then
    _aos_docker_say "apt-get failed (exit $rc) installing ${missing[*]}; last lines of its output:"
    tail -n 20 "$apt_log" >&2
  fi
  rm -f "$apt_log"
  [[ -n $own_policy ]] && rm -f /usr/sbin/policy-rc.d
  return "$rc"
}

# dockerd flags beyond the storage/paths. Found on this kind of machine (Firecracker VM, Debian 12,
# kernel 6.x, cgroup v1, no systemd): dockerd 20.10 from docker.io starts with its own containerd
# as root; the bridge driver works (docker0 and user-defined bridges come up); iptables (nft
# backend) works too, but we switch Docker's use of it off on purpose:
#  --iptables=false     no NAT/filter rules: nothing gives containers a way out. Published ports
#                       still work (checked: -p 127.0.0.1:PORT:80 serves the page) through
#                       docker-proxy, the userland proxy that listens on 127.0.0.1:PORT and
#                       connects to the container's bridge address, which the host reaches directly.
#  --ip-forward=false   the host does not route container traffic anywhere (dockerd then warns
#  --ip-masq=false      "IPv4 forwarding is disabled": intended). Bridges of different stacks
#                       cannot reach each other either, since nothing forwards between them.
#  --userland-proxy-path  Debian's docker-proxy, found whatever PATH the caller has.
#  --default-address-pool  AOS makes one bridge network per stack; Docker's default pools hold
#                       only ~30 networks, this one 256 (/24 each, host-local addresses).
# Not needed: --bridge=none (would lose published ports), --ip6tables (off by default in 20.10).
# A second engine on the same machine (tests of moving a stack between engines) must not share
# docker0 or hand out addresses the first one routes: it gets another POOL and BRIDGE=none (AOS's
# per-stack networks are user-defined bridges, so published ports still work without docker0).
_aos_dockerd_flags() {
  local pool=${1:-10.213.0.0/16} bridge=${2:-}
  local flags=(--iptables=false --ip-forward=false --ip-masq=false
    --default-address-pool "base=$pool,size=24")
  [[ -n $bridge ]] && flags+=("--bridge=$bridge")
  [[ -x /usr/sbin/docker-proxy ]] && flags+=(--userland-proxy-path /usr/sbin/docker-proxy)
  printf '%s\n' "${flags[@]}"
}

# True when PID is alive and is a dockerd using DATA_ROOT (guards against a recycled PID).
_aos_dockerd_is_ours() {
  local pid=$1 root=$2
  [[ -n $pid && -r /proc/$pid/cmdline ]] || return 1
  local cmd
  cmd=$(tr '\0' ' ' </proc/"$pid"/cmdline)
  [[ $cmd == *dockerd* && $cmd == *"--data-root $root"* ]]
}

aos_docker_ensure() {
  local data_dir=${1:?usage: aos_docker_ensure DATA_DIR}
  if [[ ${AOS_DOCKER:-} == off ]]; then
    export AOS_DOCKER_HOST=''
    _aos_docker_say "AOS_DOCKER=off: no Docker engine"
    return 0
  fi
  # 1. An engine the machine already has.
  local candidate
  for candidate in "${DOCKER_HOST:-}" unix:///var/run/docker.sock; do
    [[ -n $candidate ]] || continue
    if _aos_docker_ping "$candidate"; then
      export AOS_DOCKER_HOST=$candidate AOS_DOCKERD_PID='' AOS_DOCKERD_NEW=''
      _aos_docker_say "using the engine at $candidate"
      return 0
    fi
  done

  # 2. Our private engine, started earlier or now.
  aos_docker_start_private "$data_dir"
}

aos_docker_start_private() {
  local data_dir=${1:?usage: aos_docker_start_private DATA_DIR [POOL [BRIDGE]]}
  local pool=${2:-} bridge=${3:-}
  mkdir -p "$data_dir"
  local dir
  dir=$(cd "$data_dir" && pwd)/docker
  local sock=$dir/docker.sock pidfile=$dir/docker.pid log=$dir/dockerd.log exec_root=$dir/exec
  # Unix socket paths are limited to 107 bytes; containerd's sockets live deeper in the exec
  # root than ours. A deep DATA_DIR (a CI clone) moves them to a short per-DATA_DIR place.
  if ((${#exec_root} > 60 || ${#sock} > 100)); then
    local short
    short=/run/aos-docker-$(printf '%s' "$dir" | sha256sum | cut -c1-12)
    exec_root=$short/exec
    ((${#sock} > 100)) && sock=$short/docker.sock
  fi
  mkdir -p "$dir/root" "$exec_root" "$(dirname "$sock")"
  local host=unix://$sock

  local old_pid=''
  [[ -r $pidfile ]] && old_pid=$(<"$pidfile")
  if _aos_dockerd_is_ours "$old_pid" "$dir/root"; then
    # Started earlier (maybe still starting): wait for it rather than starting a second one.
    if _aos_docker_wait_ping "$host" "$old_pid" "$log"; then
      export AOS_DOCKER_HOST=$host AOS_DOCKERD_PID=$old_pid AOS_DOCKERD_NEW=''
      _aos_docker_say "reusing dockerd pid $old_pid at $host"
      return 0
    fi
    return 1
  fi

  _aos_docker_install_packages || return 1
  local dockerd
  dockerd=$(_aos_dockerd_bin)
  local -a flags
  mapfile -t flags < <(_aos_dockerd_flags "$pool" "$bridge")
  rm -f "$pidfile" "$sock"
  _aos_docker_say "starting dockerd (data root $dir/root, log $log)"
  printf '\n==== %s starting dockerd\n' "$(date -Is)" >>"$log"
  # setsid: the engine outlives the shell and process group that started it (tests and the dev
  # stack share it). Job control is off while launching so the child is not a group leader and
  # setsid execs in place: $! is then dockerd's own PID (the one it writes to its pidfile).
  # PATH includes the sbin directories for containerd/runc/docker-proxy lookups.
  local monitor_was_on=''
  [[ $- == *m* ]] && monitor_was_on=1 && set +m
  env PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH" \
    HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost \
    http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 no_proxy=127.0.0.1,localhost \
    setsid "$dockerd" \
    --storage-driver vfs \
    --data-root "$dir/root" \
    --exec-root "$exec_root" \
    -H "$host" \
    --pidfile "$pidfile" \
    "${flags[@]}" \
    </dev/null >>"$log" 2>&1 &
  local pid=$!
  disown "$pid" 2>/dev/null
  [[ -n $monitor_was_on ]] && set -m
  if ! _aos_docker_wait_ping "$host" "$pid" "$log"; then
    kill "$pid" 2>/dev/null
    return 1
  fi
  # Started by this call: the caller stops it when it stops (aos_docker_stop).
  export AOS_DOCKER_HOST=$host AOS_DOCKERD_PID=$pid AOS_DOCKERD_NEW=1
  _aos_docker_say "dockerd pid $pid ready at $host"
}

# Waits (bounded) until HOST answers _ping; fails early when PID exits, showing the log tail.
_aos_docker_wait_ping() {
  local host=$1 pid=$2 log=$3
  local deadline=$((SECONDS + AOS_DOCKER_START_TIMEOUT))
  while ((SECONDS < deadline)); do
    _aos_docker_ping "$host" && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      _aos_docker_say "dockerd (pid $pid) exited before answering; last lines of $log:"
      tail -n 25 "$log" >&2
      return 1
    fi
    sleep 0.25
  done
  _aos_docker_say "dockerd (pid $pid) did not answer at $host within ${AOS_DOCKER_START_TIMEOUT}s; last lines of $log:"
  tail -n 25 "$log" >&2
  return 1
}

# Builds aos-test/httpd:1 and :2: busybox (static) + /www/index.html, imported from a tar, so no
# registry is involved. The page text is the check: "AOS test page v1" / "AOS test page v2".
aos_docker_build_test_image() {
  [[ -n ${AOS_DOCKER_HOST:-} ]] || { _aos_docker_say "no engine (AOS_DOCKER_HOST empty): test image not built"; return 0; }
  local version
  for version in 1 2; do
    _aos_docker_build_httpd_image "$version" || return 1
  done
  _aos_docker_build_pgweb_image || return 1
}

_aos_docker_build_httpd_image() {
  local version=$1
  local image=$AOS_DOCKER_TEST_IMAGE_REPO:$version
  local page="AOS test page v$version"
  local applets=(sh httpd ls cat echo sleep wget nc ps kill env)
  # A fingerprint of what goes into the image, kept in its environment: "exists with the right
  # content" is then a single inspect. Bump the recipe tag when the build below changes.
  local fingerprint
  fingerprint=$(printf 'recipe-1\n%s\n%s\n' "$page" "${applets[*]}" | sha256sum | cut -c1-16)
  local marker="AOS_TEST_IMAGE=$fingerprint"
  local existing
  existing=$(_aos_docker image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$image" 2>/dev/null) || existing=''
  if grep -qxF "$marker" <<<"$existing"; then
    return 0
  fi
  local busybox
  busybox=$(_aos_busybox_bin)
  if [[ -z $busybox ]]; then
    _aos_docker_install_packages || return 1
    busybox=$(_aos_busybox_bin)
  fi
  local rootfs
  rootfs=$(mktemp -d "${TMPDIR:-/tmp}/aos-httpd-rootfs.XXXXXX") || return 1
  mkdir -p "$rootfs/bin" "$rootfs/www" "$rootfs/tmp" "$rootfs/etc"
  cp "$busybox" "$rootfs/bin/busybox"
  local applet
  for applet in "${applets[@]}"; do
    ln -s busybox "$rootfs/bin/$applet"
  done
  printf '%s\n' "$page" >"$rootfs/www/index.html"
  printf 'root:x:0:0:root:/:/bin/sh\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\n' >"$rootfs/etc/group"
  local rc=0
  tar -C "$rootfs" -c . | _aos_docker import \
    --change 'CMD ["httpd", "-f", "-p", "80", "-h", "/www"]' \
    --change 'EXPOSE 80' \
    --change "ENV $marker" \
    --change 'ENV PATH=/bin' \
    - "$image" >/dev/null || rc=$?
  rm -rf "$rootfs"
  if ((rc)); then
    _aos_docker_say "docker import of $image failed (exit $rc)"
    return "$rc"
  fi
  _aos_docker_say "built $image"
}

# Builds aos-test/pgweb:1, the web container of examples/web-with-database.yaml: busybox httpd
# serving a CGI page (scripts/images/pgweb/index.cgi) that reads a row from PostgreSQL with psql,
# which is copied in with the shared libraries ldd lists for it, at the same paths (the image has
# no package manager and no other libc). Imported from a tar like the httpd image: no registry.
# The page is "/" (httpd runs cgi-bin/index.cgi when there is no index.html).
_aos_docker_build_pgweb_image() {
  local image=${AOS_DOCKER_PGWEB_IMAGE:-aos-test/pgweb:1}
  local script_dir
  script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  local page=$script_dir/images/pgweb/index.cgi
  local applets=(sh httpd cat echo printf env ls ps kill sleep wget nc)
  local busybox psql
  busybox=$(_aos_busybox_bin)
  psql=$(_aos_psql_bin)
  if [[ -z $busybox || -z $psql ]]; then
    _aos_docker_install_packages || return 1
    busybox=$(_aos_busybox_bin)
    psql=$(_aos_psql_bin)
  fi
  [[ -n $busybox && -n $psql ]] || { _aos_docker_say "no busybox or psql for $image"; return 1; }
  # Absolute paths of the libraries psql loads (the "=> /path" column and the loader's own line).
  local -a libs
  mapfile -t libs < <(ldd "$psql" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u)
  ((${#libs[@]})) || { _aos_docker_say "ldd found no libraries for $psql"; return 1; }
  # The fingerprint covers every file that goes in (binaries by content), so an upgraded psql or
  # library rebuilds the image and an unchanged one is a single inspect.
  local fingerprint
  fingerprint=$( { printf 'pgweb-recipe-1\n%s\n' "${applets[*]}"; sha256sum "$page" "$busybox" "$psql" "${libs[@]}" | cut -d' ' -f1; } | sha256sum | cut -c1-16)
  local marker="AOS_TEST_IMAGE=$fingerprint"
  local existing
  existing=$(_aos_docker image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$image" 2>/dev/null) || existing=''
  if grep -qxF "$marker" <<<"$existing"; then
    return 0
  fi
  local rootfs
  rootfs=$(mktemp -d "${TMPDIR:-/tmp}/aos-pgweb-rootfs.XXXXXX") || return 1
  mkdir -p "$rootfs/bin" "$rootfs/www/cgi-bin" "$rootfs/tmp" "$rootfs/etc"
  chmod 1777 "$rootfs/tmp"
  cp "$busybox" "$rootfs/bin/busybox"
  local applet lib
  for applet in "${applets[@]}"; do
    ln -s busybox "$rootfs/bin/$applet"
  done
  cp -L "$psql" "$rootfs/bin/psql"
  for lib in "${libs[@]}"; do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
  install -m 0755 "$page" "$rootfs/www/cgi-bin/index.cgi"
  printf 'root:x:0:0:root:/:/bin/sh\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\n' >"$rootfs/etc/group"
  # host.docker.internal is an /etc/hosts entry (ExtraHosts): files first, as glibc does without
  # this file only on some versions.
  printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
  local rc=0
  # PGGSSENCMODE=disable: libpq would otherwise look for Kerberos credentials before each connection.
  tar -C "$rootfs" -c . | _aos_docker import \
    --change 'CMD ["httpd", "-f", "-p", "80", "-h", "/www"]' \
    --change 'EXPOSE 80' \
    --change "ENV $marker" \
    --change 'ENV PATH=/bin' \
    --change 'ENV PGGSSENCMODE=disable' \
    --change 'ENV PGCONNECT_TIMEOUT=5' \
    - "$image" >/dev/null || rc=$?
  rm -rf "$rootfs"
  if ((rc)); then
    _aos_docker_say "docker import of $image failed (exit $rc)"
    return "$rc"
  fi
  _aos_docker_say "built $image"
}

# Stops the dockerd this library started for DATA_DIR (or the one in AOS_DOCKERD_PID), by PID.
aos_docker_stop() {
  local pid=${AOS_DOCKERD_PID:-}
  local data_dir=${1:-}
  if [[ -z $pid && -n $data_dir && -r $data_dir/docker/docker.pid ]]; then
    pid=$(<"$data_dir/docker/docker.pid")
  fi
  [[ -n $pid ]] || { _aos_docker_say "no dockerd of ours to stop"; return 0; }
  if [[ ! -r /proc/$pid/cmdline ]] || [[ $(tr '\0' ' ' </proc/"$pid"/cmdline) != *dockerd* ]]; then
    _aos_docker_say "pid $pid is not a running dockerd; nothing to stop"
    return 0
  fi
  kill -TERM "$pid"
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    _aos_docker_say "dockerd pid $pid did not exit within 30s; sending KILL"
    kill -KILL "$pid" 2>/dev/null
  fi
  export AOS_DOCKERD_PID=''
  _aos_docker_say "dockerd pid $pid stopped"
}
