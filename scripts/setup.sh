#!/usr/bin/env bash
# Installs everything dmb and its test suite need on a fresh machine, reusing what is already there:
# Debian packages, npm packages, the TypeScript build, and a Python venv with the pinned Dagster.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

install_debian() {
  local missing=()
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  command -v chromium >/dev/null || missing+=(chromium)
  # npm-groovy-lint (Jenkinsfiles of configure-deployment) runs CodeNarc on Java.
  command -v java >/dev/null || missing+=(default-jre-headless)
  # tests/docker: Debian's Docker engine and debootstrap (scripts/docker-harness.sh starts and stops the daemon).
  [ -x /usr/sbin/dockerd ] && [ -x /usr/bin/docker ] || missing+=(docker.io containerd runc iptables)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  # dmb deploy: the tests start a real sshd on loopback and deploy with rsync over ssh.
  [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
  command -v ssh >/dev/null || missing+=(openssh-client)
  command -v rsync >/dev/null || missing+=(rsync)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

install_node() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  log "build (compose schema validator, tsc)"
  node scripts/build.mjs
}

install_python() {
  local stamp=.venv/.requirements.sha256
  local want
  want=$(sha256sum tools/requirements-dev.txt | cut -d' ' -f1)
  if [ ! -x .venv/bin/python ]; then
    log "python venv (.venv)"
    python3 -m venv .venv
  fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "pip install -r tools/requirements-dev.txt (pinned Dagster)"
    # pip warns once per package about this machine's extra indexes: keep its output for failures only.
    if ! .venv/bin/pip install -q --disable-pip-version-check -r tools/requirements-dev.txt > .venv/pip-install.log 2>&1; then
      cat .venv/pip-install.log >&2
      return 1
    fi
    echo "$want" > "$stamp"
  fi
}

case "${1:-all}" in
  node) install_node ;;
  all) install_debian; install_node; install_python ;;
esac
