/**
 * What API keys, load shedding and rate limiting cost per request when turned on. Each variant is a
 * real `rokv serve --workers 1` under the same keep-alive load; variants run interleaved in rounds
 * (A B C ... A B C ...) so machine noise spreads over all of them. Each is reported as the median of
 * its rounds, with its ratio to the baseline (everything off) of the same run, in two measures:
 * requests/s, and server CPU time per request (from /proc/PID/stat), which a shared, busy machine
 * disturbs far less than throughput.
 *
 *   npm run bench:security -- [--rounds 3] [--seconds 5] [--clients 16] [--pairs 100000]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { hashApiKey } from '../src/http/api-keys.js';
import { exampleDataset } from './lib/dataset.js';
import { requestBodies, runLoad } from './lib/keep-alive-load.js';
import { benchOptions } from './lib/options.js';
import { cpuSeconds } from './lib/proc.js';
import { startRokv } from './lib/servers.js';
import { median } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    clients: { type: 'string', default: '16' },
    pairs: { type: 'string', default: '100000' },
  },
});
const API_KEY = 'bench-key-0123456789';

const data = exampleDataset(Number(values.pairs));
const bodies = requestBodies(data.keysFile);
const port = benchOptions().basePort + 61;
const dir = mkdtempSync(join(tmpdir(), 'rokv-secbench-'));
try {
  const keysFile = join(dir, 'keys');
  // Ten accepted keys: the check compares against every one of them.
  writeFileSync(keysFile, [API_KEY, ...Array.from({ length: 9 }, (_, i) => `other-${i}`)].map(hashApiKey).join('\n'));
  const auth = { authorization: `Bearer ${API_KEY}` };
  const variants: { name: string; args: string[]; headers?: Record<string, string> }[] = [
    { name: 'baseline (all off)', args: [] },
    { name: 'api keys (10 keys)', args: ['--api-keys', keysFile], headers: auth },
    { name: 'load shedding (1 s)', args: ['--max-lag-ms', '1000'] },
    { name: 'rate limit (never hit)', args: ['--rate-limit', '100000000'] },
    {
      name: 'all three',
      args: ['--api-keys', keysFile, '--max-lag-ms', '1000', '--rate-limit', '100000000'],
      headers: auth,
    },
  ];
  const results = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  const cpuCost = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const v of variants) {
      const server = await startRokv({ ...data, port, serveArgs: v.args, name: v.name, headers: v.headers });
      const load = runLoad(port, bodies, Number(values.clients), v.headers);
      await sleep(1_500);
      const start = {
        at: performance.now(),
        requests: load.state.requests,
        errors: load.state.errors,
        shed: load.state.shed,
        cpu: cpuSeconds(server.proc.pid),
      };
      await sleep(Number(values.seconds) * 1_000);
      const requests = load.state.requests - start.requests;
      const rate = (requests * 1000) / (performance.now() - start.at);
      const cpuUsPerRequest = ((cpuSeconds(server.proc.pid) - start.cpu) * 1e6) / requests;
      const errors = load.state.errors - start.errors;
      const shed = load.state.shed - start.shed;
      await load.stop();
      await server.proc.stop();
      if (errors > 0) throw new Error(`${v.name}: ${errors} errors`);
      results.get(v.name)!.push(rate);
      cpuCost.get(v.name)!.push(cpuUsPerRequest);
      process.stderr.write(
        `round ${round + 1} ${v.name}: ${rate.toFixed(0)} req/s, ${cpuUsPerRequest.toFixed(1)} us CPU/request, ${shed} shed (503)\n`,
      );
    }
  }
  const base = median(results.get(variants[0]!.name)!);
  const baseCpu = median(cpuCost.get(variants[0]!.name)!);
  for (const v of variants) {
    const m = median(results.get(v.name)!);
    const c = median(cpuCost.get(v.name)!);
    process.stdout.write(
      `${v.name.padEnd(24)} ${m.toFixed(0).padStart(7)} req/s x${(m / base).toFixed(3)}   ${c.toFixed(1).padStart(6)} us CPU/request x${(c / baseCpu).toFixed(3)}\n`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
