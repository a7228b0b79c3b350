#!/usr/bin/env bash
# The tests that hold rokv on Bun to the same contract as on Node (`npm run test:bun`, and CI): the HTTP
# contract tests and the fast lane's byte-for-byte comparisons, which on Bun listen through the Bun.serve
# front (src/http/bun-front.ts); the CLI serve tests and the cluster, reload and version tests, which start
# `rokv serve` on Bun (workers, drain on SIGTERM, hot swap, metrics across workers). The same files and
# assertions as `npm test`, run by `bun test` (Bun runs node:test suites); run after `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/.."
bun=node_modules/.bin/bun
"$bun" --version >/dev/null || { echo "the pinned Bun is not installed (npm install)"; exit 1; }
echo "bun $("$bun" --version)"
# node:test has no per-test timeout; bun test's default is 5 s, shorter than the serve tests' own deadlines.
exec "$bun" test --timeout 180000 \
  ./test/http/*.test.ts \
  ./test/cli/serve.e2e.test.ts ./test/cli/serve-api.e2e.test.ts ./test/cli/serve-drain.e2e.test.ts ./test/cli/versions.e2e.test.ts \
  ./test/server/cluster.test.ts ./test/server/reload.e2e.test.ts
