import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMongo } from '../../src/mongo';
import { startTestMongo, type TestMongo } from '../../src/testing';

const PASSWORD = 'Vx7qL2mZ9sK4tR8wN1cB6yH3jD5fG0pAeU';

describe('connectMongo', () => {
  let mongo: TestMongo;
  let hostAndPort: string;

  beforeAll(async () => {
    mongo = await startTestMongo();
    hostAndPort = new URL(mongo.uri).host;
  });
  afterAll(() => mongo?.stop());

  it('given a connection string listing several hosts, then it connects to the database it names', async () => {
    // It used to read the name with `new URL`, which refuses host lists and throws with the whole
    // string (a password included) as `input`, printed when the process dies of it.
    const connection = await connectMongo({
      MONGO_DB: `mongodb://${hostAndPort},${hostAndPort}/named_db?replicaSet=rs0`,
      appName: 'connect-test',
    });
    try {
      expect(connection.db.databaseName).toBe('named_db');
    } finally {
      await connection.close();
    }
  });

  // A guard rather than a reproduction: the dev server refuses any authentication before a leak could happen.
  it('given credentials it cannot use, then the error it throws, printed as node prints it, holds no password', async () => {
    const failure = await connectMongo({
      MONGO_DB: `mongodb://shop:${PASSWORD}@${hostAndPort},${hostAndPort}/azshop?replicaSet=rs0`,
      appName: 'connect-test',
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(inspect(failure, { depth: 5 })).not.toContain(PASSWORD);
  });
});
