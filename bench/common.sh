# Shared by the bench scripts: build if needed, free ports, wait for a server, clean up.
# shellcheck shell=bash

cd "$(dirname "$0")/.." || exit 1
# GANTRY_RUN: another build to measure (e.g. an older release), default this tree's
GANTRY_RUN=${GANTRY_RUN:-target/gantry.run}
[ -x "$GANTRY_RUN" ] || mvn -B -q package -DskipTests

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

wait_for() { # URL [seconds]
  local _
  for _ in $(seq 1 $((${2:-60} * 10))); do
    curl -sf "$1" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "no answer from $1" >&2
  return 1
}

pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
