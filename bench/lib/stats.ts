/** The median of some numbers (the lower middle one for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? Number.NaN;
}

/** `a / b` to two decimals, as printed in reports. */
export function ratio(a: number, b: number): number {
  return Math.round((a / b) * 100) / 100;
}

/**
 * The median over rounds of `a[r] / b[r]`: two servers measured back to back in the same round see
 * the same burst of outside load, so their per-round ratio drifts far less than either's req/s.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  return ratio(median(a.map((x, r) => x / b[r]!)), 1);
}

/** The `p` quantile of sorted values (0 when there are none). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}
