import fs from 'node:fs';
import zlib from 'node:zlib';

export type FsyncMode = 'always' | 'interval' | 'never';

const HEADER = 8;

/** Frames a payload as [u32 length][u32 crc32(payload)][payload]. */
export function frame(payload: Uint8Array): Buffer {
  const h = Buffer.allocUnsafe(HEADER);
  h.writeUInt32LE(payload.length, 0);
  h.writeUInt32LE(zlib.crc32(payload), 4);
  return Buffer.concat([h, payload]);
}

export interface ReadResult {
  records: Buffer[];
  /** Start offset of each record. */
  offsets: number[];
  /** Bytes up to the end of the last good record; anything after is a torn or corrupt tail. */
  validBytes: number;
  totalBytes: number;
}

export function readRecords(file: string): ReadResult {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { records: [], offsets: [], validBytes: 0, totalBytes: 0 };
    throw err;
  }
  const records: Buffer[] = [];
  const offsets: number[] = [];
  let off = 0;
  while (off + HEADER <= buf.length) {
    const len = buf.readUInt32LE(off);
    const crc = buf.readUInt32LE(off + 4);
    if (len < 5 || off + HEADER + len > buf.length) break;
    const payload = buf.subarray(off + HEADER, off + HEADER + len);
    if (zlib.crc32(payload) !== crc) break;
    records.push(payload);
    offsets.push(off);
    off += HEADER + len;
  }
  return { records, offsets, validBytes: off, totalBytes: buf.length };
}

function write(fd: number, buf: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    let off = 0;
    const step = (): void => {
      fs.write(fd, buf, off, buf.length - off, null, (err, n) => {
        if (err) return reject(err);
        off += n;
        if (off < buf.length) step();
        else resolve();
      });
    };
    step();
  });
}

function fdatasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}

/**
 * Append-only journal with group commit: records queued while a write+fsync is in flight are written and
 * synced together, so N concurrent writers cost one fsync. A write is acknowledged once its batch is durable
 * (mode `always`), written to the OS (`interval`, synced every 100 ms) or written (`never`).
 */
export class Journal {
  private fd: number;
  private pending: { fd: number; buf: Buffer }[] = [];
  private pendingResolvers: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private flushing: Promise<void> | null = null;
  private retired: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  bytes = 0;

  constructor(
    public file: string,
    private readonly mode: FsyncMode,
  ) {
    this.fd = fs.openSync(file, 'a');
    this.bytes = fs.fstatSync(this.fd).size;
    if (mode === 'interval') {
      this.timer = setInterval(() => {
        if (!this.flushing) fs.fdatasync(this.fd, () => {});
      }, 100);
      this.timer.unref();
    }
  }

  append(records: Buffer[]): Promise<void> {
    for (const buf of records) {
      this.pending.push({ fd: this.fd, buf });
      this.bytes += buf.length;
    }
    const p = new Promise<void>((resolve, reject) => this.pendingResolvers.push({ resolve, reject }));
    if (!this.flushing) this.flushing = this.flushLoop();
    return p;
  }

  private async flushLoop(): Promise<void> {
    // Let the writes issued in the same tick join the batch.
    await new Promise<void>((r) => setImmediate(r));
    while (this.pending.length) {
      const batch = this.pending;
      const waiters = this.pendingResolvers;
      this.pending = [];
      this.pendingResolvers = [];
      try {
        // A batch may straddle a rotation: write each file's part in order.
        let i = 0;
        while (i < batch.length) {
          const fd = batch[i]!.fd;
          const bufs: Buffer[] = [];
          while (i < batch.length && batch[i]!.fd === fd) bufs.push(batch[i++]!.buf);
          await write(fd, bufs.length === 1 ? bufs[0]! : Buffer.concat(bufs));
          if (this.mode === 'always') await fdatasync(fd);
        }
        for (const w of waiters) w.resolve();
      } catch (err) {
        for (const w of waiters) w.reject(err as Error);
      }
    }
    for (const fd of this.retired.splice(0)) {
      if (this.mode !== 'never') fs.fdatasync(fd, () => fs.close(fd, () => {}));
      else fs.close(fd, () => {});
    }
    this.flushing = null;
  }

  /** Resolves when everything appended so far is written (and synced unless mode is `never`). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.mode !== 'never') await fdatasync(this.fd);
  }

  /**
   * Synchronously directs all later appends to `file`; records appended before stay bound to the old file,
   * which is closed once they are written. This is the cut point a snapshot taken in the same tick relies on.
   */
  rotate(file: string): void {
    const old = this.fd;
    this.file = file;
    this.fd = fs.openSync(file, 'a');
    this.bytes = 0;
    if (this.flushing) this.retired.push(old);
    else {
      if (this.mode !== 'never') fs.fdatasyncSync(old);
      fs.closeSync(old);
    }
  }

  async close(): Promise<void> {
    await this.drain();
    if (this.timer) clearInterval(this.timer);
    fs.closeSync(this.fd);
  }
}

export function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}
