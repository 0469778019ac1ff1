#!/usr/bin/env bash
# Makes sure the local PostgreSQL and MariaDB that the tests write to are up; starts them if not,
# and fails with the service's own log if that does not work. The tests never skip these checks.
set -uo pipefail

# The end of a log file, to show why a service did not come up.
show_log() { # title, file
  if [ -r "$2" ]; then
    echo "--- last lines of $2 ---" >&2
    tail -n 40 "$2" >&2
  fi
}

wait_for() { # name, log file, probe command... (polls for up to 2 minutes: the machine may be busy)
  local name=$1 log=$2; shift 2
  for _ in $(seq 1 120); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  echo "error: $name is not reachable; start it and run the tests again" >&2
  show_log "$name" "$log"
  return 1
}

fail_start() { # name, log file, start command output
  echo "error: starting $1 failed:" >&2
  [ -n "$3" ] && echo "$3" >&2
  show_log "$1" "$2"
  exit 1
}

if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  echo "[services] starting PostgreSQL" >&2
  version=$(ls /etc/postgresql | sort -V | tail -1)
  pg_log="/var/log/postgresql/postgresql-$version-main.log"
  out=$(pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>&1) || {
    # "already running" is not a failure: the probe below decides.
    pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1 || fail_start PostgreSQL "$pg_log" "$out"
  }
fi
wait_for "PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth)" "${pg_log:-/var/log/postgresql/postgresql-$(ls /etc/postgresql | sort -V | tail -1)-main.log}" \
  pg_isready -h 127.0.0.1 -p 5432 || exit 1

maria_log=/var/log/mysql/error.log
if ! mysqladmin -h 127.0.0.1 -P 3306 -u root ping >/dev/null 2>&1; then
  echo "[services] starting MariaDB" >&2
  out=$(start-stop-daemon --start --oknodo --background --output /tmp/dmb-mariadbd.out --exec /usr/sbin/mariadbd 2>&1) ||
    fail_start MariaDB /tmp/dmb-mariadbd.out "$out"
fi
wait_for "MariaDB on 127.0.0.1:3306 (root, no password)" "$maria_log" mysqladmin -h 127.0.0.1 -P 3306 -u root ping || {
  show_log MariaDB /tmp/dmb-mariadbd.out
  exit 1
}
