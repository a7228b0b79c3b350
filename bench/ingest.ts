/**
 * Ingest benchmark: `rokv build` of a JSONL file against the raw read of the same file.
 *
 *   node --import tsx bench/ingest.ts [--count 10000000] [--format jsonl] [--dir /tmp/rokv-bench-ingest] [--runs 1]
 *     [--writers native,lmdb-js] [--before OTHER/dist]
 *
 * Generates the input once with `rokv gen` (kept in --dir for later runs), then, in separate child
 * processes and alternating: the baseline (read the file in 1 MiB chunks and count its lines, the
 * least any reader must do) and the build (`buildSnapshot`, what `rokv build` runs) with each LMDB
 * writer in --writers (rokv's native writer, lmdb-js's putSync); with --before, also the build of
 * another compiled rokv (e.g. a checkout of an older commit), the "before" in the same run. Reports
 * wall and CPU seconds (all threads), pairs/s, the ratios, peak RSS and the snapshot's bytes per pair.
 * Needs `npm run build` first (it runs the compiled gen).
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface Measure {
  seconds: number;
  cpuSeconds: number;
  maxRssMiB: number;
  lines?: number;
  pairs?: number;
  bytes?: number;
}

const ROKV = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

/** One build measured: the compiled rokv in `dist`, with `writer` (undefined: that rokv's default). */
interface BuildRun {
  label: string;
  dist: string;
  writer?: string;
}

/** Child mode: do one measured thing and print its numbers as one JSON line. */
async function child(mode: string, file: string, out: string, dist: string, writer?: string): Promise<void> {
  // The compiled build, as `rokv build` runs it; loaded before the clock starts.
  const { buildSnapshot } = (await import(join(dist, 'ingest', 'build.js'))) as typeof import('../src/ingest/build.js');
  const before = process.resourceUsage();
  const started = process.hrtime.bigint();
  const result: Partial<Measure> = {};
  if (mode === 'read') {
    let lines = 0;
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    }
    result.lines = lines;
  } else {
    const built = await buildSnapshot(file, out, writer === undefined ? {} : { lmdbWriter: writer as 'native' });
    result.pairs = built.manifest.count;
    result.bytes = built.bytes;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const usage = process.resourceUsage();
  const measure: Measure = {
    ...result,
    seconds,
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime - before.userCPUTime - before.systemCPUTime) / 1e6,
    maxRssMiB: usage.maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(measure)}\n`);
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`)),
    );
  });
}

async function measure(mode: 'read' | 'build', file: string, out: string, build?: BuildRun): Promise<Measure> {
  await rm(out, { recursive: true, force: true });
  const args = ['--import', 'tsx', SELF, '--child', mode, '--file', file, '--out', out, '--dist', build?.dist ?? DIST];
  if (build?.writer !== undefined) args.push('--writer', build.writer);
  const text = await run(process.execPath, args);
  await rm(out, { recursive: true, force: true });
  return JSON.parse(text.trim().split('\n').pop()!) as Measure;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '10000000' },
      format: { type: 'string', default: 'jsonl' },
      dir: { type: 'string', default: '/tmp/rokv-bench-ingest' },
      runs: { type: 'string', default: '1' },
      writers: { type: 'string', default: 'native,lmdb-js' },
      before: { type: 'string' },
      child: { type: 'string' },
      file: { type: 'string' },
      out: { type: 'string' },
      dist: { type: 'string' },
      writer: { type: 'string' },
    },
  });
  if (values.child !== undefined) return child(values.child, values.file!, values.out!, values.dist!, values.writer);
  const builds: BuildRun[] = values.writers
    .split(',')
    .map((writer) => ({ label: `rokv build, ${writer} writer`, dist: DIST, writer }));
  if (values.before !== undefined) builds.push({ label: `rokv build, ${values.before}`, dist: values.before });

  const count = Number(values.count);
  await mkdir(values.dir, { recursive: true });
  const file = join(values.dir, `gen-${count}-seed7.${values.format}`);
  if (!existsSync(file)) {
    process.stderr.write(`generating ${file} ...\n`);
    const t = Date.now();
    await run(process.execPath, [
      ROKV,
      'gen',
      '--count',
      String(count),
      '--seed',
      '7',
      '--format',
      values.format,
      '--out',
      `${file}.part`,
    ]);
    await run('mv', [`${file}.part`, file]);
    process.stderr.write(`generated in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
  }
  const size = (await stat(file)).size;
  const out = join(values.dir, 'snapshot');
  for (let r = 0; r < Number(values.runs); r++) {
    const read = await measure('read', file, out);
    const measured: Measure[] = [];
    for (const build of builds) measured.push(await measure('build', file, out, build));
    const pairs = measured[0]!.pairs!;
    console.log(
      `ingest benchmark, run ${r + 1}: ${pairs} pairs, ${values.format}, ${(size / 2 ** 20).toFixed(0)} MiB input`,
    );
    const table: Record<string, Record<string, string>> = { 'raw read (baseline)': row(read, read.lines!, size) };
    builds.forEach((b, i) => (table[b.label] = row(measured[i]!, pairs, size)));
    console.table(table);
    builds.forEach((b, i) => {
      const m = measured[i]!;
      const first = measured[0]!;
      console.log(
        `${b.label}: ${Math.round(pairs / m.seconds)} pairs/s (goal 1000000), ${(m.seconds / read.seconds).toFixed(1)}x the raw read's time, ` +
          `${((1e6 * m.cpuSeconds) / pairs).toFixed(2)} CPU us a pair` +
          (i === 0
            ? ''
            : `, ${(m.seconds / first.seconds).toFixed(2)}x the time and ${(m.cpuSeconds / first.cpuSeconds).toFixed(2)}x the CPU of ${builds[0]!.label}`) +
          `; snapshot ${m.bytes} bytes = ${(m.bytes! / pairs).toFixed(1)} bytes/pair; peak RSS ${m.maxRssMiB.toFixed(0)} MiB`,
      );
    });
    console.log(
      JSON.stringify({ bench: 'ingest', format: values.format, pairs, inputBytes: size, read, builds: measured }),
    );
  }
}

function row(m: Measure, rows: number, size: number): Record<string, string> {
  return {
    seconds: m.seconds.toFixed(2),
    'cpu s': m.cpuSeconds.toFixed(2),
    'rows/s': String(Math.round(rows / m.seconds)),
    'MiB/s': (size / 2 ** 20 / m.seconds).toFixed(0),
    'peak RSS MiB': m.maxRssMiB.toFixed(0),
  };
}

await main();
