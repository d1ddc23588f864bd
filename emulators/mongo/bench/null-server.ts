/**
 * A wire server that does no work: it answers `hello` so a driver connects, `find` with one canned
 * document and everything else with `{ ok: 1 }`. The benchmark measures the driver and the raw socket
 * against it, in a process of its own like the real server, to show what this machine allows any
 * server to reach (the ceiling the emulator's figures compare to).
 *   npx tsx emulators/mongo/bench/null-server.ts   (prints `listening <port>`)
 */
import net from 'node:net';
import { type Document, Long } from 'bson';
import { decodeMessage, encodeReply, MessageFramer } from '../src/wire/protocol.js';

let connections = 0;
const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  const connectionId = ++connections;
  const framer = new MessageFramer();
  socket.on('data', (chunk) => {
    for (const raw of framer.push(chunk)) {
      const msg = decodeMessage(raw);
      if (msg.moreToCome) continue;
      socket.write(encodeReply(msg, answer(msg.command, connectionId)));
    }
  });
  socket.on('error', () => socket.destroy());
});

function answer(command: Document, connectionId: number): Document {
  const name = Object.keys(command)[0]?.toLowerCase();
  if (name === 'hello' || name === 'ismaster') {
    return {
      helloOk: true,
      ismaster: true,
      isWritablePrimary: true,
      maxBsonObjectSize: 16 * 1024 * 1024,
      maxMessageSizeBytes: 48_000_000,
      maxWriteBatchSize: 100_000,
      localTime: new Date(),
      logicalSessionTimeoutMinutes: 30,
      connectionId,
      minWireVersion: 0,
      maxWireVersion: 21,
      readOnly: false,
      ok: 1,
    };
  }
  if (name === 'find') {
    return { cursor: { id: Long.ZERO, ns: `${command.$db}.${command.find}`, firstBatch: [CANNED] }, ok: 1 };
  }
  return { ok: 1 };
}

const CANNED = { _id: 1, sku: 'sku-1', n: 1, name: 'item' };

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
