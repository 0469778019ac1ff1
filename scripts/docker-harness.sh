#!/usr/bin/env bash
# A Docker engine for tests, on this machine, with no registry: installs Debian's docker.io, starts its own
# dockerd (own data root, exec root and socket; no bridge, no iptables), builds the stand-in base images the
# generated files name (python:*, postgres:*, mysql:*/mariadb:*) from Debian packages, and stops the daemon
# by its PID when done. Images are cached by tag in a fixed folder outside any checkout, so every clone on
# this machine (CI included) reuses them: the first run costs ~9 minutes, later ones seconds.
#
#   bash scripts/docker-harness.sh [--image TAG]... -- COMMAND [ARGS]...   run COMMAND with DOCKER_HOST set
#   bash scripts/docker-harness.sh [--image TAG]... --hold                  print "DOCKER_HOST=..." once ready,
#                                                                           stop when stdin closes or on SIGTERM
#   source scripts/docker-harness.sh; docker_harness_up TAG...             in a script: same, trap on EXIT
#
# One engine at a time uses the cache folder (a lock): a second caller waits for the first to finish.
# DMB_DOCKER_ROOT moves the cache folder (default /var/cache/dmb-docker).

DMB_DOCKER_ROOT="${DMB_DOCKER_ROOT:-/var/cache/dmb-docker}"
DMB_DOCKER_STANDINS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/docker-standins"
DMB_DOCKER_PACKAGES=(docker.io containerd runc iptables debootstrap docker-compose)
DMB_DOCKER_BASE=localbase:bookworm
DMB_DOCKER_PID=""

_dh_log() { printf '[docker-harness] %s\n' "$*" >&2; }

# The Docker client that matches Debian's daemon (another `docker` may come first on the PATH).
_dh_docker() { /usr/bin/docker "$@"; }

docker_harness_install() {
  local missing=()
  command -v /usr/sbin/dockerd >/dev/null || missing+=(docker.io containerd runc iptables)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  [ -x /usr/bin/docker ] || missing+=(docker.io)
  [ ${#missing[@]} -eq 0 ] && return 0
  _dh_log "installing ${DMB_DOCKER_PACKAGES[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${DMB_DOCKER_PACKAGES[@]}" >&2
}

# Stops the daemon this harness started, by its PID, and waits for it to exit (containers stop with it).
docker_harness_down() {
  local pid="$DMB_DOCKER_PID"
  [ -n "$pid" ] || return 0
  DMB_DOCKER_PID=""
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && { _dh_log "dockerd $pid did not stop in 60 s; killing it"; kill -KILL "$pid"; }
  fi
  rm -f "$DMB_DOCKER_ROOT/dockerd.pid"
  _dh_log "dockerd $pid stopped"
}

# A daemon left behind by a harness that was killed (-9) holds the data root: stop it by its recorded PID,
# but only if that PID is still a dockerd using this data root (PIDs are reused).
_dh_stop_leftover() {
  local pidfile="$DMB_DOCKER_ROOT/dockerd.pid" pid
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile")"
  if [ -n "$pid" ] && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "--data-root $DMB_DOCKER_ROOT/data"; then
    _dh_log "stopping dockerd $pid left by an earlier run"
    DMB_DOCKER_PID="$pid" docker_harness_down
  fi
  rm -f "$pidfile"
}

docker_harness_start_engine() {
  mkdir -p "$DMB_DOCKER_ROOT/data" "$DMB_DOCKER_ROOT/exec"
  _dh_stop_leftover
  local log="$DMB_DOCKER_ROOT/dockerd.log"
  /usr/sbin/dockerd --data-root "$DMB_DOCKER_ROOT/data" --exec-root "$DMB_DOCKER_ROOT/exec" \
    -H "unix://$DMB_DOCKER_ROOT/docker.sock" --pidfile "$DMB_DOCKER_ROOT/dockerd.pid" \
    --bridge=none --iptables=false --ip6tables=false >"$log" 2>&1 &
  DMB_DOCKER_PID=$!
  export DOCKER_HOST="unix://$DMB_DOCKER_ROOT/docker.sock"
  for _ in $(seq 1 240); do
    if _dh_docker version >/dev/null 2>&1; then
      _dh_log "dockerd $DMB_DOCKER_PID up, DOCKER_HOST=$DOCKER_HOST"
      # Containers of an earlier run that ended without `down` (restart: unless-stopped brings them back):
      # this engine is ours alone while we hold the lock, so every container in it is a leftover.
      local leftovers
      mapfile -t leftovers < <(_dh_docker ps -aq)
      [ ${#leftovers[@]} -eq 0 ] || { _dh_log "removing leftover containers"; _dh_docker rm -f "${leftovers[@]}" >/dev/null; }
      # Images that lost their tag to a rebuild: keeps the cache folder from growing run after run.
      _dh_docker image prune -f >/dev/null
      return 0
    fi
    kill -0 "$DMB_DOCKER_PID" 2>/dev/null || break
    sleep 0.5
  done
  _dh_log "dockerd did not start; its log ($log):"
  tail -n 40 "$log" >&2
  return 1
}

_dh_mirror() {
  local mirror
  mirror="$(grep -hoE '(URIs:|^deb) +https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | grep -v security | head -n 1 | awk '{print $2}')"
  echo "${mirror:-http://deb.debian.org/debian}"
}

_dh_has_image() { _dh_docker image inspect "$1" >/dev/null 2>&1; }

# The root of every stand-in: a minimal Debian 12 from the apt mirror (no image can be pulled here).
_dh_base_image() {
  _dh_has_image "$DMB_DOCKER_BASE" && return 0
  local rootfs="$DMB_DOCKER_ROOT/rootfs"
  rm -rf "$rootfs"
  _dh_log "debootstrap bookworm from $(_dh_mirror) (~2.5 min, once)"
  debootstrap --variant=minbase bookworm "$rootfs" "$(_dh_mirror)" >"$DMB_DOCKER_ROOT/debootstrap.log" 2>&1 \
    || { tail -n 30 "$DMB_DOCKER_ROOT/debootstrap.log" >&2; return 1; }
  tar -C "$rootfs" -c . | _dh_docker import - "$DMB_DOCKER_BASE" >/dev/null
  rm -rf "$rootfs"
}

# Which stand-in builds a tag: python:* from standins/python, postgres:* from standins/postgres, mysql:* and
# mariadb:* from standins/mysql (MariaDB). The stand-in folder's content hash is a label, so an edited
# stand-in is rebuilt under the same tag.
_dh_standin_for() {
  case "$1" in
    python:*) echo python ;;
    postgres:*) echo postgres ;;
    mysql:* | mariadb:*) echo mysql ;;
    *) return 1 ;;
  esac
}

docker_harness_image() {
  local tag="$1" kind dir hash context
  kind="$(_dh_standin_for "$tag")" || { _dh_log "no stand-in for image $tag (known: python:*, postgres:*, mysql:*, mariadb:*)"; return 1; }
  dir="$DMB_DOCKER_STANDINS/$kind"
  hash="$(cat "$dir"/* /etc/ssl/certs/ca-certificates.crt | sha256sum | cut -c1-16)"
  if [ "$(_dh_docker image inspect -f '{{index .Config.Labels "dmb.standin"}}' "$tag" 2>/dev/null)" = "$hash" ]; then
    return 0
  fi
  _dh_base_image || return 1
  context="$(mktemp -d)"
  cp "$dir"/* "$context"/
  # TLS is intercepted on this kind of machine: pip in a build needs the host's CA bundle.
  cp /etc/ssl/certs/ca-certificates.crt "$context/host-ca-certificates.crt"
  _dh_log "building stand-in $tag from $dir"
  if ! _dh_docker build --network host --label "dmb.standin=$hash" --build-arg "BASE=$DMB_DOCKER_BASE" \
      -t "$tag" "$context" >"$DMB_DOCKER_ROOT/build-$kind.log" 2>&1; then
    tail -n 40 "$DMB_DOCKER_ROOT/build-$kind.log" >&2
    rm -rf "$context"
    return 1
  fi
  rm -rf "$context"
}

# Installs, takes the lock, starts the engine (stopped by the EXIT trap) and builds the stand-ins for TAGS.
docker_harness_up() {
  docker_harness_install || return 1
  mkdir -p "$DMB_DOCKER_ROOT"
  exec 9>"$DMB_DOCKER_ROOT/lock"
  if ! flock -n 9; then
    _dh_log "waiting for another test run that uses $DMB_DOCKER_ROOT"
    flock -w 7200 9 || { _dh_log "lock $DMB_DOCKER_ROOT/lock still held after 2 h"; return 1; }
  fi
  trap docker_harness_down EXIT
  trap 'exit 143' TERM INT HUP
  docker_harness_start_engine || return 1
  local tag
  for tag in "$@"; do docker_harness_image "$tag" || return 1; done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  tags=(python:3.11-slim postgres:15 mysql:8)
  extra=()
  mode=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --image) extra+=("$2"); shift 2 ;;
      --hold) mode=hold; shift ;;
      --) shift; mode=run; break ;;
      *) echo "usage: $0 [--image TAG]... (--hold | -- COMMAND [ARGS]...)" >&2; exit 2 ;;
    esac
  done
  [ ${#extra[@]} -gt 0 ] && tags=("${extra[@]}")
  [ -n "$mode" ] || { echo "usage: $0 [--image TAG]... (--hold | -- COMMAND [ARGS]...)" >&2; exit 2; }
  docker_harness_up "${tags[@]}" || exit 1
  if [ "$mode" = hold ]; then
    # Being told to stop is how a hold ends: exit 0 (the EXIT trap still stops dockerd).
    trap 'exit 0' TERM
    echo "DOCKER_HOST=$DOCKER_HOST"
    # Until the caller closes our stdin (or dies) or sends SIGTERM; then the EXIT trap stops dockerd.
    # (cat in the background with our stdin, so that bash runs the TERM trap at once.)
    cat <&0 >/dev/null &
    wait $!
    exit 0
  fi
  "$@"
  exit $?
fi
