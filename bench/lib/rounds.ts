import type { BenchOptions } from './options.js';
import { LOAD_CPU } from './options.js';
import { cpuSeconds } from './proc.js';
import type { BenchServer } from './servers.js';
import { runWrk } from './wrk.js';

/** Per server, one figure a round: req/s and the server's CPU microseconds per answered request. */
export interface RoundFigures {
  rps: Map<string, number[]>;
  cpuUs: Map<string, number[]>;
}

/** A server and the load it gets: `batch` keys a request (overrides the rounds' own), named apart. */
export type Load = BenchServer & { batch?: number };

/**
 * Warms every server up, then runs `options.rounds` rounds of wrk against each in turn (interleaved, so
 * drift hits all alike), reading each server's CPU time from /proc around its run: CPU per request is
 * less sensitive than req/s to other load on the machine. A non-200 answer invalidates the run.
 * `batch` > 0 posts that many keys a request to `POST /get_values` instead of one to `/get_value`;
 * a load's own `batch` wins, so one server can take two loads under two names.
 */
export async function interleavedRounds(
  servers: readonly Load[],
  keysFile: string,
  options: BenchOptions,
  batch = 0,
): Promise<RoundFigures> {
  const rps = new Map<string, number[]>(servers.map((s) => [s.name, []]));
  const cpuUs = new Map<string, number[]>(servers.map((s) => [s.name, []]));
  for (const s of servers) {
    await runWrk({ port: s.port, seconds: 2, keysFile, batch: s.batch ?? batch, cpus: LOAD_CPU });
  }
  for (let r = 0; r < options.rounds; r++) {
    for (const s of servers) {
      const cpu0 = cpuSeconds(s.proc.pid);
      const res = await runWrk({
        port: s.port,
        seconds: options.seconds,
        keysFile,
        batch: s.batch ?? batch,
        cpus: LOAD_CPU,
      });
      const cpu = cpuSeconds(s.proc.pid) - cpu0;
      if (res.non200 > 0) throw new Error(`${s.name}: ${res.non200} non-200 answers`);
      // Socket errors and wrk's 2 s timeouts on an overloaded machine are reported, not fatal.
      if (res.errors > 0) console.log(`${s.name}: ${res.errors} socket errors or timeouts in this round`);
      rps.get(s.name)!.push(res.rps);
      cpuUs.get(s.name)!.push((cpu / (res.rps * options.seconds)) * 1e6);
      console.log(
        `round ${r + 1} ${s.name}: ${res.rps} req/s, ${cpuUs.get(s.name)!.at(-1)!.toFixed(1)} us CPU/request`,
      );
    }
  }
  return { rps, cpuUs };
}
