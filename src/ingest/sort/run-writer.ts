import { closeSync, openSync, writeSync } from 'node:fs';
import { copyBytes, copyWords, SHORT_COPY_BYTES, viewOf } from '../../bytes.js';

/** Bytes gathered before one write to a run file. */
const WRITE_BUFFER_BYTES = 4 << 20;

/** Writes one run file: records appended in key order, gathered into large writes. */
export class RunWriter {
  private readonly fd: number;
  private readonly out = Buffer.allocUnsafe(WRITE_BUFFER_BYTES);
  private readonly outView = viewOf(this.out);
  private fill = 0;
  /** Bytes written so far. */
  bytes = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'wx');
  }

  /**
   * Appends the record bytes `src[start..end)`; `srcView`, a DataView over all of `src`, lets a short
   * record be copied four bytes at a time (a run spill copies every record, mostly short ones).
   */
  append(src: Buffer, start: number, end: number, srcView?: DataView): void {
    const size = end - start;
    if (this.fill + size > this.out.length) this.flush();
    if (size > this.out.length) writeAll(this.fd, src.subarray(start, end));
    else if (srcView !== undefined && size <= SHORT_COPY_BYTES)
      this.fill = copyWords(this.outView, this.fill, srcView, start, size);
    else this.fill = copyBytes(this.out, this.fill, src, start, size);
    this.bytes += size;
  }

  /** Writes what is gathered and closes the file. */
  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }

  private flush(): void {
    writeAll(this.fd, this.out.subarray(0, this.fill));
    this.fill = 0;
  }
}

function writeAll(fd: number, buf: Buffer): void {
  for (let done = 0; done < buf.length;) done += writeSync(fd, buf, done, buf.length - done);
}
