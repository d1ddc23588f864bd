/** The dev Mongo server in a process of its own (so the benchmark's client does not share its event loop). */
import { startMongoServer } from '@az-shop/mongo-emulator';

const server = await startMongoServer({ port: 0, inMemory: true });
process.stdout.write(`${server.uri}\n`);
process.on('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});
