/**
 * Byte copies for the hot loops (batch answers, batch reads, the sorter's runs): the one place
 * that decides when a hand-written loop beats TypedArray.set.
 */

/**
 * Runs up to this many bytes are copied by a loop: for the short pieces batches and runs are made
 * of, creating the subarray view that `set` needs costs more than the copy (`npm run bench:batch-reader`).
 */
export const SHORT_COPY_BYTES = 64;

/** Copies `src[from, from + length)` into `dst` at `at`; returns the position after it in `dst`. */
export function copyBytes(dst: Uint8Array, at: number, src: Uint8Array, from: number, length: number): number {
  if (length <= SHORT_COPY_BYTES) {
    for (let b = 0; b < length; b++) dst[at + b] = src[from + b]!;
  } else {
    dst.set(src.subarray(from, from + length), at);
  }
  return at + length;
}

/** A DataView over all of `bytes`. */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * As `copyBytes` for a short run, four bytes at a time through DataViews of both buffers: for the
 * values of a batch answer and their wrapping, the bulk of its bytes.
 */
export function copyWords(dst: DataView, at: number, src: DataView, from: number, length: number): number {
  let b = 0;
  for (; b + 4 <= length; b += 4) dst.setUint32(at + b, src.getUint32(from + b));
  for (; b < length; b++) dst.setUint8(at + b, src.getUint8(from + b));
  return at + length;
}
