#!/usr/bin/env bash
# Makes sure the local PostgreSQL and MariaDB that the tests write to are up; starts them if not,
# and fails with a clear message if that does not work. The tests never skip these checks.
set -uo pipefail

wait_for() { # name, probe command...
  local name=$1; shift
  for _ in $(seq 1 30); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  echo "error: $name is not reachable; start it and run the tests again" >&2
  return 1
}

if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  echo "[services] starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start 2>&1 || true
fi
wait_for "PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth)" pg_isready -h 127.0.0.1 -p 5432 || exit 1

if ! mysqladmin -h 127.0.0.1 -P 3306 -u root ping >/dev/null 2>&1; then
  echo "[services] starting MariaDB" >&2
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd 2>&1 || true
fi
wait_for "MariaDB on 127.0.0.1:3306 (root, no password)" mysqladmin -h 127.0.0.1 -P 3306 -u root ping || exit 1
