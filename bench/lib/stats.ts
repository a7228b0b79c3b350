/** The median of some numbers (the lower middle one for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? Number.NaN;
}

/** `a / b` to two decimals, as printed in reports. */
export function ratio(a: number, b: number): number {
  return Math.round((a / b) * 100) / 100;
}
