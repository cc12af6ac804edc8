#!/usr/bin/env bash
# Starts a throw-away PostgreSQL for the benchmarks (Debian's package: /usr/lib/postgresql/N/bin),
# in DIR, on PORT, as nobody when run as root; prints nothing. Stop it with: postgres.sh stop DIR
#   bench/postgres.sh start DIR PORT PASSWORD_FILE
set -euo pipefail
action=$1
dir=$2
bin=$(printf "%s\n" /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_server() {
  if [ "$(id -u)" = 0 ]; then setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; else "$@"; fi
}
case $action in
  start)
    port=$3
    password_file=$4
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown nobody "$dir" "$password_file"
    as_server "$bin/initdb" -D "$dir/data" -U gantry --pwfile="$password_file" -A scram-sha-256 -E UTF8 --locale=C >"$dir/initdb.log"
    as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir" >/dev/null
    PGPASSWORD=$(cat "$password_file") "$bin/psql" -q -h 127.0.0.1 -p "$port" -U gantry -d postgres -c 'CREATE DATABASE gantry'
    ;;
  stop)
    as_server "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
esac
