#!/usr/bin/env bash
# bench/batch-ab.sh REV [SECONDS] [ROUNDS]: POST /get_values (100-key batches) of the git revision
# REV (e.g. main) against this checkout's build, in one interleaved run, so that the machine's load
# drifts over both alike. REV is built from `git archive` into a temporary directory (sharing this
# checkout's node_modules); run `npm run build` here first. Both servers (`rokv serve --workers 1`)
# are pinned to CPU 1 and wrk to CPU 0; each round runs wrk against one, then the other. Prints
# req/s and the server's CPU microseconds per request (from /proc/PID/stat) per round, then the
# medians and their ratios: quote those, not one round.
set -euo pipefail
rev=${1:?usage: bench/batch-ab.sh REV [SECONDS] [ROUNDS]}
secs=${2:-3}
rounds=${3:-5}
cd "$(dirname "$0")/.."
here=$PWD
command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT
mkdir "$tmp/base"
git archive "$rev" | tar -x -C "$tmp/base"
ln -s "$here/node_modules" "$tmp/base/node_modules"
(cd "$tmp/base" && npx tsc -p tsconfig.build.json)
node -e "process.stdout.write(Object.keys(require('./data/example.json')).join('\n') + '\n')" >"$tmp/keys.txt"
ports=(18151 18152)
dirs=("$tmp/base" "$here")
for i in 0 1; do
  (cd "${dirs[$i]}" && exec taskset -c 1 node dist/main.js serve --workers 1 --host 127.0.0.1 --port "${ports[$i]}" --log-level warn </dev/null >"$tmp/serve.$i.log" 2>&1) &
  pids+=($!)
done
for port in "${ports[@]}"; do
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
done
ticks=$(getconf CLK_TCK)
run() { # INDEX -> "rps cpu_us_per_request"
  local pid=${pids[$1]} before after out
  before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  out=$(KEYS_FILE=$tmp/keys.txt BATCH=100 taskset -c 0 wrk -t1 -c16 -d"${secs}s" -s bench/lib/post-keys.lua "http://127.0.0.1:${ports[$1]}")
  after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  sed -n 's/.*rps=\([0-9]*\).*non200=\([0-9]*\).*/\1 \2/p' <<<"$out" | {
    read -r rps bad
    [ "$bad" = 0 ] || { echo "$bad non-200 answers from ${dirs[$1]}" >&2; exit 1; }
    awk -v r="$rps" -v t="$((after - before))" -v hz="$ticks" -v s="$secs" 'BEGIN { printf "%s %.1f\n", r, t / hz * 1e6 / (r * s) }'
  }
}
run 0 >/dev/null; run 1 >/dev/null # warm-up
a_rps=(); a_cpu=(); b_rps=(); b_cpu=()
for r in $(seq 1 "$rounds"); do
  read -r rps us < <(run 0); a_rps+=("$rps"); a_cpu+=("$us")
  read -r rps us < <(run 1); b_rps+=("$rps"); b_cpu+=("$us")
  echo "round $r: $rev ${a_rps[-1]} req/s ${a_cpu[-1]} us/request | this checkout ${b_rps[-1]} req/s ${b_cpu[-1]} us/request"
done
med() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
ar=$(med "${a_rps[@]}"); ac=$(med "${a_cpu[@]}"); br=$(med "${b_rps[@]}"); bc=$(med "${b_cpu[@]}")
echo "medians: $rev $ar req/s = $(node -e "console.log($ar * 100)") keys/s, $ac us/request; this checkout $br req/s = $(node -e "console.log($br * 100)") keys/s, $bc us/request"
node -e "console.log('this checkout / $rev: ' + ($br / $ar).toFixed(2) + 'x req/s, ' + ($bc / $ac).toFixed(2) + 'x CPU per request')"
