#!/bin/sh
# Initialises /var/lib/mysql on first start (root password, database, user from MYSQL_*), then runs MariaDB.
set -eu
datadir=/var/lib/mysql
port="${MYSQL_TCP_PORT:-3306}"
mkdir -p "$datadir" /run/mysqld
chown -R mysql:mysql "$datadir" /run/mysqld
if [ ! -d "$datadir/mysql" ]; then
  if [ -n "${MYSQL_ROOT_PASSWORD:-}" ]; then
    root_password="$MYSQL_ROOT_PASSWORD"
  elif [ -n "${MYSQL_RANDOM_ROOT_PASSWORD:-}" ]; then
    root_password="$(tr -dc 'A-Za-z0-9' < /dev/urandom | head -c 32)"
    echo "GENERATED ROOT PASSWORD: $root_password"
  else
    echo "set MYSQL_ROOT_PASSWORD or MYSQL_RANDOM_ROOT_PASSWORD" >&2
    exit 1
  fi
  mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db --auth-root-authentication-method=normal >/dev/null
  socket=/run/mysqld/init.sock
  gosu mysql mariadbd --datadir="$datadir" --skip-networking --socket="$socket" &
  init_pid=$!
  for _ in $(seq 1 120); do mariadb-admin --socket="$socket" -uroot ping >/dev/null 2>&1 && break; sleep 0.5; done
  {
    echo "DELETE FROM mysql.global_priv WHERE User='';"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$root_password';"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY '$root_password'; GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    [ -n "${MYSQL_DATABASE:-}" ] && echo "CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\`;"
    if [ -n "${MYSQL_USER:-}" ]; then
      echo "CREATE USER '$MYSQL_USER'@'%' IDENTIFIED BY '${MYSQL_PASSWORD:-}';"
      [ -n "${MYSQL_DATABASE:-}" ] && echo "GRANT ALL ON \`$MYSQL_DATABASE\`.* TO '$MYSQL_USER'@'%';"
    fi
    echo "FLUSH PRIVILEGES;"
  } | mariadb --socket="$socket" -uroot
  kill "$init_pid"
  wait "$init_pid" || true
  echo "database initialised in $datadir"
fi
if [ "$1" = mariadbd ]; then
  shift
  exec gosu mysql mariadbd --datadir="$datadir" --port="$port" --bind-address="${MYSQL_BIND_ADDRESS:-0.0.0.0}" --skip-name-resolve "$@"
fi
exec "$@"
