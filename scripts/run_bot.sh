#!/usr/bin/env bash
# Start the action server in the background, wait until it answers /health, then run
# `rasa shell` in the foreground. The action server is stopped when the shell exits.
# Usage: scripts/run_bot.sh MODEL [PORT]   (the Makefile's `make run` calls it)
set -euo pipefail

model="${1:?usage: scripts/run_bot.sh MODEL [PORT]}"
port="${2:-5055}"
bin=.venv/bin
log=var/action-server.log
mkdir -p var

"$bin/rasa" run actions --actions actions --port "$port" >"$log" 2>&1 &
server=$!
stop_server() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
}
trap stop_server EXIT
trap 'exit 130' INT TERM

echo "Starting the action server on port $port (log: $log) ..."
health="http://127.0.0.1:$port/health"
for _ in $(seq 120); do
  if ! kill -0 "$server" 2>/dev/null; then
    echo "The action server exited before it was ready:" >&2
    cat "$log" >&2
    exit 1
  fi
  if "$bin/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
    "$health" 2>/dev/null; then
    break
  fi
  sleep 0.5
done
if ! "$bin/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
  "$health" 2>/dev/null; then
  echo "The action server did not answer $health within 60 s; see $log" >&2
  exit 1
fi

"$bin/rasa" shell --model "$model" --endpoints endpoints.yml
