#!/usr/bin/env bash
# A bounded, self-stopping load run of the reference server with wrk, on
# loopback only: status GETs and durable POSTs, 10 s each.
#   bash scripts/load.sh            (installs wrk from Debian's packages if missing)
# Prints requests/s, p50/p99 latency, and status counts; fails if any request
# errs other than the intended 503 backpressure on POST.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${LOAD_SECONDS:-10}
CONNECTIONS=${LOAD_CONNECTIONS:-32}

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)"
  (apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null; })
fi
cargo build --release --locked -p orchestrator-server --bin orchestrator-server -q

work=$(mktemp -d)
key="load-$RANDOM$RANDOM"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ORCHESTRATOR_API_KEY=$key ORCHESTRATOR_LOG=error target/release/orchestrator-server \
  --listen "127.0.0.1:$port" --db "$work/load.db" --max-queued 1000 2>"$work/server.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 50); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done

body='{"document_url": "data:text/plain,Load%20tests%20measure%20throughput."}'
location=$(curl -sf -D - -o /dev/null -X POST "$base/v1/bots/load/actions/analyze-document" \
  -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d "$body" | tr -d '\r' | awk 'tolower($1)=="location:"{print $2}')

run() { # name method url [body]
  local name=$1 method=$2 url=$3
  WRK_KEY=$key WRK_METHOD=$method WRK_BODY=${4:-} \
    wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s scripts/wrk-count.lua "$url" > "$work/$name.txt"
  local rps p50 p99 statuses socket
  rps=$(awk '/^Requests\/sec/{print $2}' "$work/$name.txt")
  p50=$(awk '/^p50_ms/{print $2}' "$work/$name.txt")
  p99=$(awk '/^p99_ms/{print $2}' "$work/$name.txt")
  statuses=$(sed -n 's/^statuses: //p' "$work/$name.txt")
  socket=$(awk '/^socket_errors/{print $2}' "$work/$name.txt")
  echo "[figure] load/$name: ${rps} requests/s, p50 ${p50} ms, p99 ${p99} ms, statuses: ${statuses}, socket errors: ${socket} ($CONNECTIONS connections, ${DURATION}s)"
  echo "$statuses" > "$work/$name.statuses"
  [ "$socket" = 0 ] || { echo "error: socket errors in $name" >&2; exit 1; }
}

run get GET "$base$location"
run post POST "$base/v1/bots/load/actions/analyze-document" "$body"

# GETs must all be 200; POSTs 202, or 503 when the queue is full (intended backpressure).
if grep -qvE '^(200=[0-9]+)$' "$work/get.statuses"; then echo "error: GET answered other than 200" >&2; exit 1; fi
if tr ' ' '\n' < "$work/post.statuses" | grep -vE '^(202|503)=' | grep -q .; then
  echo "error: POST answered other than 202/503" >&2; exit 1
fi
kill -0 $server || { echo "error: the server died" >&2; exit 1; }
echo "load run passed: server healthy after $(( DURATION * 2 )) s of load"
