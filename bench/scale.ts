// Data larger than RAM (issue 17) at a chosen size: BENCH_SCALE_PAIRS (default 10M; 100M, 500M, or
// any count, with an M suffix or not). Steps, each reported:
//  1. `rokv gen` alone (pairs/s, goal >= 2M/s);
//  2. `rokv gen | rokv build -` (wall time, pairs/s, peak RSS of the build, peak temporary disk
//     against the snapshot's size), and as the baseline in the same run a build of a file of
//     BENCH_SCALE_BASE_PAIRS (default 2M) pairs with one thread and with every core;
//  3. keys drawn from the snapshot, uniform and Zipf (s = 1.0) over all its keys (BENCH_SCALE_DRAWS
//     of each, default 200k: each draw is a lookup, a disk read when the file is not cached);
//  4. for each warm-up mode (BENCH_SCALE_WARM, default "index,auto"): the data file evicted from the
//     page cache, `rokv serve` started, first answer, /readyz ready, then 8 s of random keys from
//     that moment (no timeouts, p99 goal < 50 ms);
//  5. warm: random keys and Zipf keys, against the 10k example in the same run (Zipf goal >= 0.7x);
//  6. the disk's own 4 KiB random-read IOPS on the data file (fio, when installed).
// The snapshot is kept in ROKV_BENCH_DIR/scale-N for later runs (BENCH_SCALE_REBUILD=1 rebuilds it).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';
import { setTimeout as sleep } from 'node:timers/promises';
import { exampleDataset, ROKV_MAIN, WORK_DIR } from './lib/dataset.js';
import { LOAD_CPU, SERVER_CPU } from './lib/options.js';
import { report } from './lib/results.js';
import { startRokv } from './lib/servers.js';
import { ratio } from './lib/stats.js';
import { ensureWrk, runWrk, type WrkResult } from './lib/wrk.js';

const count = (text: string): number => {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim());
  if (!m) throw new Error(`expected a pair count like 10M or 2000000, received ${JSON.stringify(text)}`);
  const unit = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 }[m[2]!]!;
  return Math.round(Number(m[1]) * unit);
};
const N = count(process.env.BENCH_SCALE_PAIRS ?? '10M');
const BASE = count(process.env.BENCH_SCALE_BASE_PAIRS ?? '2M');
const WARM_MODES = (process.env.BENCH_SCALE_WARM ?? 'index,auto').split(',');
const LOAD_SECONDS = 8;
const DRAWS = count(process.env.BENCH_SCALE_DRAWS ?? '200k');
const label = (n: number): string => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);
const dir = join(WORK_DIR, `scale-${N}`);
const snapshot = join(dir, 'snapshot');
const dataFile = join(snapshot, 'data.mdb');
const lines: string[] = [];
const say = (line: string): void => {
  console.log(line);
  lines.push(line);
};
mkdirSync(dir, { recursive: true });
ensureWrk();

/** Runs `script` under bash and /usr/bin/time -v; returns wall seconds, peak RSS in bytes and exit code. */
async function timed(script: string, sample?: () => void): Promise<{ seconds: number; rssBytes: number }> {
  const timeFile = join(dir, 'time.txt');
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-v', '-o', timeFile, 'bash', '-o', 'pipefail', '-c', script], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  let done = false;
  void exited.then(() => (done = true));
  while (!done) {
    sample?.();
    await Promise.race([exited, sleep(1000)]);
  }
  const code = await exited;
  if (code !== 0) throw new Error(`failed (exit ${code}): ${script}`);
  const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(timeFile, 'utf8'))?.[1] ?? 0);
  return { seconds: (performance.now() - started) / 1000, rssBytes: kb * 1024 };
}

const gb = (b: number): string => `${(b / 1e9).toFixed(2)} GB`;
const rokv = `${JSON.stringify(process.execPath)} ${JSON.stringify(ROKV_MAIN)}`;

// 1. The generator alone.
const genPairs = Math.min(N, 20_000_000);
const gen = await timed(`${rokv} gen --count ${genPairs} --format jsonl > /dev/null`);
const genRate = genPairs / gen.seconds;
say(
  `gen: ${label(genPairs)} JSONL pairs in ${gen.seconds.toFixed(1)} s = ${Math.round(genRate).toLocaleString('en-US')} pairs/s (goal >= 2,000,000)`,
);

// 2. Baseline in the same run: a file built with one thread and with every core.
const baseInput = join(dir, `base-${BASE}.jsonl`);
if (!existsSync(baseInput))
  execFileSync('bash', ['-c', `${rokv} gen --count ${BASE} --format jsonl --out ${baseInput}`]);
const baseRates: number[] = [];
for (const threads of [1, 0]) {
  const out = join(dir, `base-out-${threads}`);
  rmSync(out, { recursive: true, force: true });
  const t = await timed(`${rokv} build ${baseInput} --out ${out} --quiet${threads ? ` --threads ${threads}` : ''}`);
  baseRates.push(BASE / t.seconds);
  rmSync(out, { recursive: true, force: true });
}
say(
  `build of a ${label(BASE)}-pair JSONL file: one thread ${Math.round(baseRates[0]!).toLocaleString('en-US')} pairs/s, ` +
    `every core ${Math.round(baseRates[1]!).toLocaleString('en-US')} pairs/s (${ratio(baseRates[1]!, baseRates[0]!)}x)`,
);

// 2b. The pipe at full size, sampling the temporary run files.
if (process.env.BENCH_SCALE_REBUILD === '1') rmSync(snapshot, { recursive: true, force: true });
if (!existsSync(join(snapshot, 'manifest.json'))) {
  let tempPeak = 0;
  const sample = (): void => {
    for (const entry of readdirSync(dir).filter((e) => e.startsWith('.snapshot.tmp-'))) {
      const runs = join(dir, entry, '.runs');
      if (!existsSync(runs)) continue;
      let bytes = 0;
      for (const f of readdirSync(runs)) bytes += statSync(join(runs, f), { throwIfNoEntry: false })?.size ?? 0;
      tempPeak = Math.max(tempPeak, bytes);
    }
  };
  const pipe = await timed(
    `${rokv} gen --count ${N} --format jsonl | ${rokv} build - --format jsonl --out ${snapshot} --quiet`,
    sample,
  );
  const outBytes = statSync(dataFile).size;
  say(
    `gen | build - of ${label(N)} pairs: ${pipe.seconds.toFixed(0)} s = ${Math.round(N / pipe.seconds).toLocaleString('en-US')} pairs/s (goal >= 1,000,000), ` +
      `peak RSS ${(pipe.rssBytes / 2 ** 20).toFixed(0)} MiB (largest process; goal <= 1 GiB), temporary runs at most ${gb(tempPeak)} ` +
      `for a ${gb(outBytes)} data file (${ratio(tempPeak, outBytes)}x; goal <= 1x)`,
  );
} else say(`gen | build -: snapshot of ${label(N)} pairs reused from ${snapshot} (BENCH_SCALE_REBUILD=1 rebuilds it)`);

// 3. Keys from the snapshot, read before any eviction: the key after a random point is a random key
// (keys are random UUIDs, so the gaps between them are alike); Zipf rank r maps to a fixed point.
const uniformFile = join(dir, 'keys-uniform.txt');
const zipfFile = join(dir, 'keys-zipf.txt');
if (!existsSync(zipfFile)) {
  const db = open<Buffer, Buffer>({
    path: dataFile,
    noSubdir: true,
    readOnly: true,
    keyEncoding: 'binary',
    encoding: 'binary',
  });
  const keyAt = (fraction: number): string => {
    const start = Buffer.alloc(16);
    start.writeUIntBE(Math.floor(fraction * 2 ** 48), 0, 6);
    for (const { key } of db.getRange({ start, limit: 1 })) return uuidText(key);
    for (const { key } of db.getRange({ start, limit: 1, reverse: true })) return uuidText(key);
    throw new Error('empty snapshot');
  };
  let s = 12345;
  const next = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const uniform: string[] = [];
  const zipf: string[] = [];
  for (let d = 0; d < DRAWS; d++) uniform.push(keyAt(next()));
  // s = 1.0 over ranks 1..N: the continuous inverse of P(rank <= r) = ln r / ln N.
  for (let d = 0; d < DRAWS; d++) zipf.push(keyAt((Math.floor(N ** next()) * 0.6180339887498949) % 1));
  writeFileSync(uniformFile, uniform.join('\n') + '\n');
  writeFileSync(zipfFile, zipf.join('\n') + '\n');
  await db.close();
}
const someKey = readFileSync(uniformFile, 'utf8').slice(0, 36);

function uuidText(key: Buffer): string {
  const h = key.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Drops the data file from the page cache: all caches when permitted, else the file's pages (fadvise DONTNEED through dd). */
function evict(): string {
  const all = spawnSync('sh', ['-c', 'sync && echo 3 > /proc/sys/vm/drop_caches']);
  spawnSync('dd', [`if=${dataFile}`, 'iflag=nocache', 'count=0'], { stdio: 'ignore' });
  const resident = spawnSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', dataFile])
    .stdout.toString()
    .trim();
  return `${all.status === 0 ? 'drop_caches' : 'dd iflag=nocache (drop_caches not permitted)'}, ${resident || '?'} bytes of the file resident after`;
}

const latencyBars: { label: string; p50: number; p99: number; p999: number }[] = [];
const ms = (us: number): number => us / 1000;
const wrkLine = (r: WrkResult): string =>
  `${r.rps.toLocaleString('en-US')} req/s, p50 ${ms(r.p50).toFixed(1)} ms, p99 ${ms(r.p99).toFixed(1)} ms, p99.9 ${ms(r.p999).toFixed(1)} ms, ${r.errors} errors/timeouts, ${r.non200} non-200`;

// 4. Cold start per warm-up mode.
let warm: { random: WrkResult; zipf: WrkResult } | undefined;
for (const [m, mode] of WARM_MODES.entries()) {
  const how = evict();
  const port = 19_600 + m;
  // --verify quick: the default full check reads every pair before listening (minutes at this
  // size); docs/security.md names quick as the mode for data this large.
  const serveArgs = ['--warm-up', mode, '--verify', 'quick'];
  const server = await startRokv({ snapshot, port, someKey, cpus: SERVER_CPU, serveArgs });
  const since = performance.now() - server.startSeconds * 1000;
  let readySeconds = Number.NaN;
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
    if (res?.status === 200) {
      readySeconds = (performance.now() - since) / 1000;
      break;
    }
    await sleep(50);
  }
  const cold = await runWrk({ port, seconds: LOAD_SECONDS, keysFile: uniformFile, cpus: LOAD_CPU });
  latencyBars.push({
    label: `random keys from ready, --warm-up ${mode}`,
    p50: ms(cold.p50),
    p99: ms(cold.p99),
    p999: ms(cold.p999),
  });
  say(
    `--warm-up ${mode} after eviction (${how}): first answer ${server.startSeconds.toFixed(2)} s after spawn (goal <= 1 s), ` +
      `/readyz ready at ${readySeconds.toFixed(1)} s; the first ${LOAD_SECONDS} s of random keys from then: ${wrkLine(cold)} (goal: no timeouts, p99 < 50 ms)`,
  );
  // 5. Warm figures, once, on the last server.
  if (m === WARM_MODES.length - 1) {
    await runWrk({ port, seconds: LOAD_SECONDS, keysFile: zipfFile, cpus: LOAD_CPU });
    warm = {
      random: await runWrk({ port, seconds: LOAD_SECONDS, keysFile: uniformFile, cpus: LOAD_CPU }),
      zipf: await runWrk({ port, seconds: LOAD_SECONDS, keysFile: zipfFile, cpus: LOAD_CPU }),
    };
  }
  await server.proc.stop();
}
const example = exampleDataset();
const small = await startRokv({ ...example, port: 19_650, cpus: SERVER_CPU });
await runWrk({ port: 19_650, seconds: LOAD_SECONDS, keysFile: example.keysFile, cpus: LOAD_CPU });
const base = await runWrk({ port: 19_650, seconds: LOAD_SECONDS, keysFile: example.keysFile, cpus: LOAD_CPU });
await small.proc.stop();
say(`10k example (baseline, same run): ${wrkLine(base)}`);
say(
  `${label(N)} random keys, after the Zipf load: ${wrkLine(warm!.random)} (${ratio(warm!.random.rps, base.rps)}x the 10k example)`,
);
say(
  `${label(N)} Zipf s=1.0 keys: ${wrkLine(warm!.zipf)} (${ratio(warm!.zipf.rps, base.rps)}x the 10k example; goal >= 0.7x)`,
);

// 6. What the disk gives: 4 KiB random reads of the data file, direct, 32 in flight.
if (spawnSync('sh', ['-c', 'command -v fio']).status === 0) {
  const fio = spawnSync('fio', [
    '--name=randread',
    `--filename=${dataFile}`,
    '--readonly',
    '--rw=randread',
    '--bs=4k',
    '--direct=1',
    '--ioengine=libaio',
    '--iodepth=32',
    '--runtime=8',
    '--time_based',
    '--output-format=json',
  ]);
  const job = (
    JSON.parse(fio.stdout.toString()) as {
      jobs: { read: { iops: number; clat_ns: { percentile: Record<string, number> } } }[];
    }
  ).jobs[0]!.read;
  say(
    `disk: ${Math.round(job.iops).toLocaleString('en-US')} random 4 KiB reads/s at queue depth 32 (fio, direct), p99 ${((job.clat_ns.percentile['99.000000'] ?? 0) / 1e6).toFixed(2)} ms`,
  );
} else say('disk: fio is not installed (apt-get install fio) - no IOPS figure');

report({
  scenario: `9-scale-${label(N)}`,
  title: `${label(N)} pairs: gen | build, warm-up, random and Zipf keys`,
  command: `BENCH_SCALE_PAIRS=${label(N)} npm run bench:scale`,
  throughput: [
    { label: 'rokv, 10k example', rps: base.rps },
    { label: `rokv, ${label(N)} random keys`, rps: warm!.random.rps },
    { label: `rokv, ${label(N)} Zipf s=1.0`, rps: warm!.zipf.rps },
  ],
  latency: latencyBars,
  lines,
});
