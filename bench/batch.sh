#!/usr/bin/env bash
# bench/batch.sh [SECONDS]: keys/s of POST /get_values (100-key batches) against single-key
# POST /get_value, in the same run, on the bundled example data set. Run from the project's root
# after `npm install`. The server (`rokv serve --workers 1`) is pinned to CPU 1, wrk to CPU 0
# (16 connections). Prints the median of 3 runs of each and their ratio; quote the ratio, since
# absolute numbers drift on shared machines. Besides throughput it reads the server's CPU time from
# /proc/PID/stat around each run and prints CPU microseconds per request and per key: a server that
# other jobs deschedule serves fewer requests, but does not burn more CPU on each.
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
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; } # user + system time of the server, in clock ticks
run() { # BATCH -> "rps non200 cpu_us_per_request"
  local before after out
  before=$(cpu)
  out=$(KEYS_FILE=$tmp/keys.txt BATCH=$1 taskset -c 0 wrk -t1 -c16 -d"${secs}s" -s bench/lib/post-keys.lua "http://127.0.0.1:$port")
  after=$(cpu)
  sed -n 's/.*rps=\([0-9]*\).*non200=\([0-9]*\).*/\1 \2/p' <<<"$out" |
    awk -v t="$((after - before))" -v hz="$ticks" -v s="$secs" '{ printf "%s %s %.1f\n", $1, $2, ($1 > 0 ? t / hz * 1e6 / ($1 * s) : 0) }'
}
run 0 >/dev/null # warm-up
run 100 >/dev/null
single=(); batch=(); single_cpu=(); batch_cpu=()
for _ in 1 2 3; do
  read -r rps bad us < <(run 0); [ "$bad" = 0 ] || { echo "single: $bad non-200 answers"; exit 1; }; single+=("$rps"); single_cpu+=("$us")
  read -r rps bad us < <(run 100); [ "$bad" = 0 ] || { echo "batch: $bad non-200 answers"; exit 1; }; batch+=("$rps"); batch_cpu+=("$us")
done
med() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
s=$(med "${single[@]}"); b=$(med "${batch[@]}"); sc=$(med "${single_cpu[@]}"); bc=$(med "${batch_cpu[@]}")
echo "POST /get_value:  $s requests/s = $s keys/s (median of 3: ${single[*]}); server CPU $sc us a request (${single_cpu[*]})"
echo "POST /get_values: $b requests/s = $((b * 100)) keys/s with 100 keys a batch (median of 3: ${batch[*]}); server CPU $bc us a request = $(node -e "console.log(($bc / 100).toFixed(2))") us a key (${batch_cpu[*]})"
node -e "console.log('batch keys/s / single keys/s = ' + ($b * 100 / $s).toFixed(1) + ' by throughput, ' + ($sc * 100 / $bc).toFixed(1) + ' by server CPU; keys/s one busy core would serve: ' + Math.round(1e8 / $bc))"
