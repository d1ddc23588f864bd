import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BSON, type Document } from 'bson';
import { deserialize, keyOf, numberOf } from '../bsonUtil.js';
import type { OplogEntry } from '../changes/oplog.js';
import { Collection } from './collection.js';
import type { Engine } from './engine.js';
import type { IndexSpec } from './indexes.js';
import { type FsyncMode, frame, fsyncDir, Journal, readRecords } from './journal.js';
import type { Persistence, RetryRecord } from './persistence.js';

const SNAPSHOT = 'snapshot.bson';
const IDENTITY = 'IDENTITY';
const LOCK = 'mongod.lock';
const FORMAT = 1;
/** Journal size that triggers a snapshot + journal truncation. */
const SNAPSHOT_AFTER_BYTES = 64 * 1024 * 1024;

type Log = (level: 'error' | 'info' | 'debug', msg: string) => void;

function journalName(gen: number): string {
  return `journal-${String(gen).padStart(8, '0')}.log`;
}

function journalGens(dir: string): number[] {
  return fs
    .readdirSync(dir)
    .map((f) => /^journal-(\d+)\.log$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

function writeFileDurably(file: string, data: string): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  fs.writeSync(fd, data);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

/**
 * The data directory: `IDENTITY` (random id embedded in resume tokens), `snapshot.bson` (framed BSON records:
 * header, collections with index specs, documents, retained change log, end marker) and `journal-N.log`
 * (framed BSON records, one per change-log entry; the last entry of each write carries `l: true`).
 */
export class DataDir implements Persistence {
  private journal!: Journal;
  private gen = 0;
  private snapshotting: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly engine: Engine,
    private readonly dir: string,
    private readonly mode: FsyncMode,
    private readonly log: Log,
  ) {}

  open(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    this.lock();
    const idFile = path.join(this.dir, IDENTITY);
    if (fs.existsSync(idFile)) this.engine.identity = fs.readFileSync(idFile, 'utf8').trim();
    else {
      this.engine.identity = crypto.randomBytes(8).toString('hex');
      writeFileDurably(idFile, this.engine.identity);
    }
    const snapGen = this.loadSnapshot();
    let replayed = 0;
    const gens = journalGens(this.dir);
    for (const gen of gens) {
      if (gen < snapGen) continue;
      replayed += this.replayJournal(path.join(this.dir, journalName(gen)));
    }
    this.engine.oplog.markDurable(this.engine.lastSeq);
    this.gen = Math.max(snapGen, gens[gens.length - 1] ?? 0) + 1;
    this.journal = new Journal(path.join(this.dir, journalName(this.gen)), this.mode);
    this.log('info', `recovered ${this.dir}: snapshot gen ${snapGen}, ${replayed} journal entries replayed`);
    if (replayed > 0) void this.snapshot();
  }

  /** One server per data directory: a lock file with our pid (a stale one from a crashed process is taken over). */
  private lock(): void {
    const file = path.join(this.dir, LOCK);
    try {
      const pid = Number(fs.readFileSync(file, 'utf8').trim());
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new Error(`data directory ${this.dir} is in use by another mongo-emulator (pid ${pid})`);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    fs.writeFileSync(file, String(process.pid));
  }

  private loadSnapshot(): number {
    const file = path.join(this.dir, SNAPSHOT);
    const { records, validBytes, totalBytes } = readRecords(file);
    if (records.length === 0) return 0;
    const header = deserialize(records[0]!);
    const end = deserialize(records[records.length - 1]!);
    if (header.k !== 'h' || end.k !== 'end' || validBytes !== totalBytes || end.n !== records.length) {
      throw new Error(
        `corrupt snapshot ${file} (it is written to a temp file and renamed, so this should not happen)`,
      );
    }
    if (header.identity !== this.engine.identity)
      throw new Error(`snapshot ${file} belongs to another data directory`);
    const engine = this.engine;
    let current: Collection | undefined;
    for (let i = 1; i < records.length - 1; i++) {
      const r = deserialize(records[i]!);
      if (r.k === 'c') {
        current = new Collection(r.db, r.name, r.options ?? {}, r.uuid);
        for (const spec of r.indexes as IndexSpec[]) if (spec.name !== '_id_') current.addIndex(spec);
        engine.collections.set(current.ns, current);
      } else if (r.k === 'd') {
        // `w`: the last write time (snapshots of older versions have none: the load time stands in).
        current!.put(keyOf((r.d as Document)._id), r.d as Document, numberOf(r.w));
      } else if (r.k === 'o') {
        const e = r.e as OplogEntry;
        e.seq = Number(e.seq);
        engine.oplog.append(e);
        engine.clock.observe(e.ts);
      } else if (r.k === 'r') {
        this.restoreRetry(r.r as Document);
      }
    }
    engine.setLastSeq(Number(header.seq));
    engine.oplog.lastSeq = engine.lastSeq;
    engine.oplog.trimmedSeq = Number(header.trimmedSeq ?? 0);
    if (header.ts) engine.clock.observe(header.ts);
    return Number(header.gen);
  }

  private replayJournal(file: string): number {
    const { records, offsets, validBytes, totalBytes } = readRecords(file);
    let group: OplogEntry[] = [];
    let groupStart = 0;
    let applied = 0;
    let keepBytes = 0;
    let open = false;
    for (let i = 0; i < records.length; i++) {
      const r = deserialize(records[i]!);
      if (!open) groupStart = offsets[i]!;
      open = true;
      // A retryable write that changed nothing is a record without an entry.
      if (r.e !== undefined) {
        const e = r.e as OplogEntry;
        e.seq = Number(e.seq);
        group.push(e);
      }
      if (r.l === true) {
        for (const g of group) {
          if (g.seq <= this.engine.lastSeq) continue;
          this.engine.apply(g);
          this.engine.oplog.append(g);
          applied++;
        }
        // The retry record rides on the group's last record: it exists exactly when the write does.
        if (r.r !== undefined) this.restoreRetry(r.r as Document);
        group = [];
        open = false;
        keepBytes = i + 1 < records.length ? offsets[i + 1]! : validBytes;
      }
    }
    if (open) keepBytes = groupStart;
    if (keepBytes < totalBytes) {
      this.log(
        'info',
        `journal ${path.basename(file)}: discarding ${totalBytes - keepBytes} bytes of torn/uncommitted tail`,
      );
      fs.truncateSync(file, keepBytes);
    }
    return applied;
  }

  private restoreRetry(r: Document): void {
    this.engine.noteRetry({
      key: String(r.key),
      lsid: r.lsid as Document,
      txnNumber: numberOf(r.txnNumber) ?? -1,
      reply: r.reply as Document,
      wall: r.wall as Date,
    });
  }

  append(entries: OplogEntry[], retry?: RetryRecord): Promise<void> {
    const records = entries.map((e, i) =>
      frame(
        BSON.serialize(
          i === entries.length - 1 ? (retry ? { e, l: true, r: retry } : { e, l: true }) : { e },
        ),
      ),
    );
    if (entries.length === 0 && retry) records.push(frame(BSON.serialize({ l: true, r: retry })));
    const p = this.journal.append(records);
    if (this.journal.bytes > SNAPSHOT_AFTER_BYTES && !this.snapshotting) void this.snapshot();
    return p;
  }

  flush(): Promise<void> {
    return this.journal.drain();
  }

  /**
   * Cuts the journal (new generation) and serialises the state in the same tick, so the snapshot covers exactly
   * the older generations; those are deleted once the snapshot is durably renamed into place.
   */
  snapshot(): Promise<void> {
    if (this.snapshotting) return this.snapshotting;
    const gen = this.gen + 1;
    this.journal.rotate(path.join(this.dir, journalName(gen)));
    this.gen = gen;
    const records = this.serializeState(gen);
    this.snapshotting = (async () => {
      try {
        const file = path.join(this.dir, SNAPSHOT);
        const tmp = `${file}.tmp`;
        const fh = await fs.promises.open(tmp, 'w');
        try {
          await fh.writev(records);
          await fh.sync();
        } finally {
          await fh.close();
        }
        await fs.promises.rename(tmp, file);
        fsyncDir(this.dir);
        await this.journal.drain();
        for (const g of journalGens(this.dir))
          if (g < gen) fs.rmSync(path.join(this.dir, journalName(g)), { force: true });
        this.log('debug', `snapshot gen ${gen} written (${records.length} records)`);
      } catch (err) {
        this.log('error', `snapshot failed: ${(err as Error).message}`);
      } finally {
        this.snapshotting = null;
      }
    })();
    return this.snapshotting;
  }

  private serializeState(gen: number): Buffer[] {
    const engine = this.engine;
    const out: Buffer[] = [];
    const push = (d: Document): void => {
      out.push(frame(BSON.serialize(d)));
    };
    push({
      k: 'h',
      format: FORMAT,
      identity: engine.identity,
      gen,
      seq: engine.lastSeq,
      ts: engine.clusterTime(),
      trimmedSeq: engine.oplog.trimmedSeq,
    });
    for (const c of engine.collections.values()) {
      push({
        k: 'c',
        db: c.db,
        name: c.name,
        options: c.options,
        uuid: c.uuid,
        indexes: [...c.indexes.values()].map((i) => i.spec),
      });
      for (const [id, d] of c.docs) push({ k: 'd', d, w: c.writtenAt.get(id) });
    }
    for (const e of engine.oplog.entries) push({ k: 'o', e });
    for (const r of engine.retryRecords.values()) push({ k: 'r', r });
    push({ k: 'end', n: out.length + 1 });
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.snapshotting) await this.snapshotting;
    await this.snapshot();
    await this.journal.close();
    fs.rmSync(path.join(this.dir, LOCK), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function openDataDir(engine: Engine, dir: string, mode: FsyncMode, log: Log): Promise<DataDir> {
  const d = new DataDir(engine, dir, mode, log);
  d.open();
  return d;
}
