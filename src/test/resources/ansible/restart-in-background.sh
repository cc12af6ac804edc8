#!/bin/sh
# gantry_restart_command of the Ansible tests, where no systemd runs:
#   restart-in-background.sh GANTRY_ROOT STATE_DIR
# stops the server it started last (by the PID it recorded in STATE_DIR/server.pid) and
# starts GANTRY_ROOT/current/bin/gantry serve in the background, as systemctl restart would.
# Every PID it starts is also appended to STATE_DIR/server.pids, so the tests can stop them all.
set -eu
root=$1
state=$2

# A stopped server whose parent is gone stays a zombie where init does not reap: it counts as stopped.
running() {
  [ -r "/proc/$1/stat" ] && ! sed 's/^.*) //' "/proc/$1/stat" | grep -q '^Z'
}

if [ -s "$state/server.pid" ]; then
  pid=$(cat "$state/server.pid")
  if running "$pid"; then
    kill "$pid"
    tenths=0
    while running "$pid"; do
      # systemd's TimeoutStopSec, in short
      [ "$tenths" -lt 300 ] || kill -9 "$pid"
      sleep 0.1
      tenths=$((tenths + 1))
    done
  fi
fi

cd "$root/shared"
nohup "$root/current/bin/gantry" serve >>"$state/server.log" 2>&1 </dev/null &
echo $! >"$state/server.pid"
echo $! >>"$state/server.pids"
