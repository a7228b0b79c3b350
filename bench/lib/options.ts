/** Benchmark knobs from the environment, so a quick run and a careful one use the same scripts. */
export interface BenchOptions {
  /** Seconds per measured wrk run. */
  seconds: number;
  /** Measured rounds per server (the median is reported). */
  rounds: number;
  /** First port of the range the benchmark may use. */
  basePort: number;
}

/** Reads BENCH_SECONDS, BENCH_ROUNDS and BENCH_PORT (defaults 5, 3, 19500). */
export function benchOptions(env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const num = (name: string, dflt: number): number => {
    const v = Number(env[name] ?? dflt);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number, received ${env[name]}`);
    return v;
  };
  return { seconds: num('BENCH_SECONDS', 5), rounds: num('BENCH_ROUNDS', 3), basePort: num('BENCH_PORT', 19500) };
}

/** The server core and the load generator core: different cores when the machine has two. */
export const SERVER_CPU = '1';
export const LOAD_CPU = '0';
