#!/usr/bin/env bash
# bench/batch.sh [SECONDS] [ROUNDS]: keys/s of POST /get_values (100-key batches) against single-key
# POST /get_value, in the same run, on the bundled example data set. Run from the project's root
# after `npm install`. The server (`rokv serve --workers 1`) is pinned to CPU 1, wrk to CPU 0
# (16 connections). Prints the median of ROUNDS (default 3) runs of each and their ratio; quote the ratio, since
# absolute numbers drift on shared machines. Besides throughput it reads the server's CPU time from
# /proc/PID/stat around each run and prints CPU microseconds per request and per key: a server that
# other jobs deschedule serves fewer requests, but does not burn more CPU on each. A second server,
# `--no-native-reader` (batches read through lmdb-js, a call per key), runs the same batches in the
# same rounds, so the native batch reader's worth is a ratio from one run.
set -euo pipefail
secs=${1:-5}
rounds=${2:-3}
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null
tmp=$(mktemp -d)
pid=
js_pid=
trap 'kill $pid $js_pid 2>/dev/null; rm -rf "$tmp"' EXIT
node -e "process.stdout.write(Object.keys(require('./data/example.json')).join('\n') + '\n')" >"$tmp/keys.txt"
port=18141
js_port=18142
taskset -c 1 node dist/main.js serve --workers 1 --host 127.0.0.1 --port $port --log-level warn </dev/null >"$tmp/serve.log" 2>&1 &
pid=$!
taskset -c 1 node dist/main.js serve --workers 1 --host 127.0.0.1 --port $js_port --log-level warn --no-native-reader </dev/null >"$tmp/serve-js.log" 2>&1 &
js_pid=$!
for p in $port $js_port; do
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$p/readyz" >/dev/null && break; sleep 0.2; done
done
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system time of a server, in clock ticks
run() { # BATCH [PORT PID] -> "rps non200 cpu_us_per_request"
  local before after out p=${2:-$port} id=${3:-$pid}
  before=$(cpu "$id")
  out=$(KEYS_FILE=$tmp/keys.txt BATCH=$1 taskset -c 0 wrk -t1 -c16 -d"${secs}s" -s bench/lib/post-keys.lua "http://127.0.0.1:$p")
  after=$(cpu "$id")
  sed -n 's/.*rps=\([0-9]*\).*non200=\([0-9]*\).*/\1 \2/p' <<<"$out" |
    awk -v t="$((after - before))" -v hz="$ticks" -v s="$secs" '{ printf "%s %s %.1f\n", $1, $2, ($1 > 0 ? t / hz * 1e6 / ($1 * s) : 0) }'
}
run 0 >/dev/null # warm-up
run 100 >/dev/null
run 100 $js_port $js_pid >/dev/null
single=(); batch=(); single_cpu=(); batch_cpu=(); js=(); js_cpu=()
for _ in $(seq 1 "$rounds"); do
  read -r rps bad us < <(run 0); [ "$bad" = 0 ] || { echo "single: $bad non-200 answers"; exit 1; }; single+=("$rps"); single_cpu+=("$us")
  read -r rps bad us < <(run 100); [ "$bad" = 0 ] || { echo "batch: $bad non-200 answers"; exit 1; }; batch+=("$rps"); batch_cpu+=("$us")
  read -r rps bad us < <(run 100 $js_port $js_pid); [ "$bad" = 0 ] || { echo "batch without the native reader: $bad non-200 answers"; exit 1; }; js+=("$rps"); js_cpu+=("$us")
done
med() { printf '%s\n' "$@" | sort -g | sed -n "$((($# + 1) / 2))p"; }
s=$(med "${single[@]}"); b=$(med "${batch[@]}"); sc=$(med "${single_cpu[@]}"); bc=$(med "${batch_cpu[@]}")
j=$(med "${js[@]}"); jc=$(med "${js_cpu[@]}")
echo "POST /get_value:  $s requests/s = $s keys/s (median of $rounds: ${single[*]}); server CPU $sc us a request (${single_cpu[*]})"
echo "POST /get_values: $b requests/s = $((b * 100)) keys/s with 100 keys a batch (median of $rounds: ${batch[*]}); server CPU $bc us a request = $(node -e "console.log(($bc / 100).toFixed(2))") us a key (${batch_cpu[*]})"
node -e "console.log('batch keys/s / single keys/s = ' + ($b * 100 / $s).toFixed(1) + ' by throughput, ' + ($sc * 100 / $bc).toFixed(1) + ' by server CPU; keys/s one busy core would serve: ' + Math.round(1e8 / $bc))"
echo "POST /get_values --no-native-reader: $j requests/s = $((j * 100)) keys/s (median of $rounds: ${js[*]}); server CPU $jc us a request (${js_cpu[*]})"
node -e "console.log('native batch reader / lmdb-js: ' + ($b / $j).toFixed(2) + 'x keys/s, ' + ($bc / $jc).toFixed(2) + 'x CPU per request')"
