#!/usr/bin/env bash
# bench/batch.sh [SECONDS]: keys/s of POST /get_values (100-key batches) against single-key
# POST /get_value, in the same run, on the bundled example data set. Run from the project's root
# after `npm install`. The server (`rokv serve --workers 1`) is pinned to CPU 1, wrk to CPU 0
# (16 connections). Prints the median of 3 runs of each and their ratio; quote the ratio, since
# absolute numbers drift on shared machines.
set -euo pipefail
secs=${1:-5}
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
node -e "process.stdout.write(Object.keys(require('./data/example.json')).join('\n') + '\n')" >"$tmp/keys.txt"
port=18141
taskset -c 1 node dist/main.js serve --workers 1 --host 127.0.0.1 --port $port --log-level warn </dev/null >"$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
run() { # BATCH -> "rps non200"
  KEYS_FILE=$tmp/keys.txt BATCH=$1 taskset -c 0 wrk -t1 -c16 -d"${secs}s" -s bench/post-batch.lua "http://127.0.0.1:$port" |
    sed -n 's/.*rps=\([0-9]*\).*non200=\([0-9]*\).*/\1 \2/p'
}
run 0 >/dev/null # warm-up
run 100 >/dev/null
single=(); batch=()
for _ in 1 2 3; do
  read -r rps bad < <(run 0); [ "$bad" = 0 ] || { echo "single: $bad non-200 answers"; exit 1; }; single+=("$rps")
  read -r rps bad < <(run 100); [ "$bad" = 0 ] || { echo "batch: $bad non-200 answers"; exit 1; }; batch+=("$rps")
done
med() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
s=$(med "${single[@]}"); b=$(med "${batch[@]}")
echo "POST /get_value:  $s requests/s = $s keys/s (median of 3: ${single[*]})"
echo "POST /get_values: $b requests/s = $((b * 100)) keys/s with 100 keys a batch (median of 3: ${batch[*]})"
node -e "console.log('batch keys/s / single keys/s = ' + ($b * 100 / $s).toFixed(1))"
