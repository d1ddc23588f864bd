import type { Document } from 'bson';
import { deserialize, serialize } from '../bsonUtil.js';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

export const MAX_MESSAGE_SIZE = 48_000_000;
export const MAX_BSON_SIZE = 16 * 1024 * 1024;

export const FLAG_CHECKSUM = 1;
export const FLAG_MORE_TO_COME = 2;
export const FLAG_EXHAUST_ALLOWED = 1 << 16;

export interface IncomingMessage {
  requestId: number;
  opCode: number;
  /** The command document, with kind-1 sequences merged in as arrays (mongod semantics). */
  command: Document;
  /** Database for OP_QUERY (`db.$cmd`); OP_MSG carries it in `$db`. */
  db: string;
  moreToCome: boolean;
  exhaustAllowed: boolean;
  size: number;
}

/** Splits a byte stream into whole wire messages. */
export class MessageFramer {
  private chunks: Buffer[] = [];
  private length = 0;

  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.length += chunk.length;
    const out: Buffer[] = [];
    while (this.length >= 4) {
      let buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.length);
      this.chunks = [buf];
      const size = buf.readInt32LE(0);
      if (size < 16 || size > MAX_MESSAGE_SIZE) throw new Error(`invalid message length ${size}`);
      if (this.length < size) break;
      out.push(buf.subarray(0, size));
      buf = buf.subarray(size);
      this.chunks = buf.length ? [buf] : [];
      this.length = buf.length;
    }
    return out;
  }
}

function readCString(buf: Buffer, offset: number): [string, number] {
  const end = buf.indexOf(0, offset);
  if (end < 0) throw new Error('unterminated cstring');
  return [buf.toString('utf8', offset, end), end + 1];
}

export function decodeMessage(buf: Buffer): IncomingMessage {
  const requestId = buf.readInt32LE(4);
  const opCode = buf.readInt32LE(12);
  if (opCode === OP_MSG) {
    const flags = buf.readUInt32LE(16);
    const end = flags & FLAG_CHECKSUM ? buf.length - 4 : buf.length;
    let offset = 20;
    let command: Document | undefined;
    const sequences: [string, Document[]][] = [];
    while (offset < end) {
      const kind = buf[offset]!;
      offset += 1;
      if (kind === 0) {
        const size = buf.readInt32LE(offset);
        command = deserialize(buf.subarray(offset, offset + size));
        offset += size;
      } else if (kind === 1) {
        const size = buf.readInt32LE(offset);
        const sectionEnd = offset + size;
        const [identifier, next] = readCString(buf, offset + 4);
        let p = next;
        const docs: Document[] = [];
        while (p < sectionEnd) {
          const docSize = buf.readInt32LE(p);
          docs.push(deserialize(buf.subarray(p, p + docSize)));
          p += docSize;
        }
        sequences.push([identifier, docs]);
        offset = sectionEnd;
      } else {
        throw new Error(`unknown OP_MSG section kind ${kind}`);
      }
    }
    if (!command) throw new Error('OP_MSG without a body section');
    for (const [id, docs] of sequences) command[id] = docs;
    return {
      requestId,
      opCode,
      command,
      db: typeof command.$db === 'string' ? command.$db : 'admin',
      moreToCome: (flags & FLAG_MORE_TO_COME) !== 0,
      exhaustAllowed: (flags & FLAG_EXHAUST_ALLOWED) !== 0,
      size: buf.length,
    };
  }
  if (opCode === OP_QUERY) {
    const [fullName, next] = readCString(buf, 20);
    const querySize = buf.readInt32LE(next + 8);
    let command = deserialize(buf.subarray(next + 8, next + 8 + querySize));
    // Drivers wrap legacy commands as {$query: {...}, $readPreference: ...}.
    if (command.$query && typeof command.$query === 'object') command = command.$query as Document;
    const db = fullName.endsWith('.$cmd') ? fullName.slice(0, -5) : fullName;
    return { requestId, opCode, command, db, moreToCome: false, exhaustAllowed: false, size: buf.length };
  }
  throw new Error(`unsupported opCode ${opCode}`);
}

let nextResponseId = 1;

function header(length: number, responseTo: number, opCode: number): Buffer {
  const h = Buffer.allocUnsafe(16);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(nextResponseId++ & 0x7fffffff, 4);
  h.writeInt32LE(responseTo, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

export function encodeOpMsg(responseTo: number, body: Buffer, flags = 0): Buffer {
  const length = 16 + 4 + 1 + body.length;
  const prefix = header(length, responseTo, OP_MSG);
  const mid = Buffer.allocUnsafe(5);
  mid.writeUInt32LE(flags, 0);
  mid[4] = 0;
  return Buffer.concat([prefix, mid, body], length);
}

/** The 21 bytes preceding an OP_MSG reply body (header, flagBits, section kind 0); its requestId at 4. */
export function opMsgHeader(responseTo: number, bodyLength: number, flags = 0): Buffer {
  const h = header(16 + 4 + 1 + bodyLength, responseTo, OP_MSG);
  const out = Buffer.allocUnsafe(21);
  h.copy(out, 0);
  out.writeUInt32LE(flags, 16);
  out[20] = 0;
  return out;
}

export function encodeOpReply(responseTo: number, body: Buffer): Buffer {
  const length = 16 + 20 + body.length;
  const prefix = header(length, responseTo, OP_REPLY);
  const mid = Buffer.alloc(20);
  mid.writeInt32LE(8, 0); // AwaitCapable
  mid.writeInt32LE(1, 16); // numberReturned
  return Buffer.concat([prefix, mid, body], length);
}

export function encodeReply(msg: IncomingMessage, reply: Document): Buffer {
  const body = serialize(reply);
  return msg.opCode === OP_QUERY ? encodeOpReply(msg.requestId, body) : encodeOpMsg(msg.requestId, body);
}
