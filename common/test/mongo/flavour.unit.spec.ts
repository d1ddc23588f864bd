import { type Db, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { flavourFromHosts, hostsOf, resolveMongoFlavour } from '../../src/mongo/flavour';
import { isThrottled, retryAfterMs, retryThrottled, throttleDelay } from '../../src/mongo/throttling';
import { throttledCount, throttledRefusal } from '../../src/testing';

describe('flavourFromHosts', () => {
  it('given a Cosmos DB RU or vCore endpoint (any host of the list), then cosmos', () => {
    for (const uri of [
      'mongodb://acct:secret@acct.mongo.cosmos.azure.com:10255/?ssl=true&replicaSet=globaldb',
      'mongodb+srv://user:pw@cluster.mongocluster.cosmos.azure.com/?tls=true',
      'mongodb://a.example.com:27017,acct.MONGO.cosmos.azure.cn:10255/db',
    ]) {
      expect(flavourFromHosts(uri)).toBe('cosmos');
    }
  });

  it('given MongoDB hosts (local, Atlas, a path or password naming Cosmos), then no answer: the server decides', () => {
    for (const uri of [
      'mongodb://127.0.0.1:27017/azshop?replicaSet=rs0',
      'mongodb+srv://u:p@cluster0.abcde.mongodb.net/shop',
      'mongodb://u:x.mongo.cosmos.azure.com@db.internal:27017/mongo.cosmos.azure.com',
    ]) {
      expect(flavourFromHosts(uri)).toBeUndefined();
    }
  });

  it('reads the hosts without credentials, ports, path or options', () => {
    expect(hostsOf('mongodb://u:p@H1:1,h2/db?x=1')).toEqual(['h1', 'h2']);
  });
});

describe('resolveMongoFlavour', () => {
  // The set flavour and the host decide without asking the server: no database is needed.
  const db = {} as Db;

  it('given MONGO_FLAVOUR=mongo with a Cosmos DB host, then refused at startup, naming the fix', async () => {
    await expect(
      resolveMongoFlavour({
        setting: 'mongo',
        connectionString: 'mongodb://acct:pw@acct.mongo.cosmos.azure.com:10255/?ssl=true',
        db,
      }),
    ).rejects.toThrow(/MONGO_FLAVOUR=mongo, but MONGO_DB is an Azure Cosmos DB host.*auto or cosmos/);
  });

  it('given a set flavour that the host does not contradict, then that flavour', async () => {
    const local = 'mongodb://127.0.0.1:27017/azshop';
    const cosmosHost = 'mongodb+srv://u:p@c.mongocluster.cosmos.azure.com/';
    expect(await resolveMongoFlavour({ setting: 'mongo', connectionString: local, db })).toBe('mongo');
    expect(await resolveMongoFlavour({ setting: 'cosmos', connectionString: local, db })).toBe('cosmos');
    expect(await resolveMongoFlavour({ setting: 'cosmos', connectionString: cosmosHost, db })).toBe('cosmos');
  });
});

describe('throttling (16500)', () => {
  const throttled = throttledRefusal(12);

  it('given code 16500, then throttled, and the wait is what Cosmos DB asked for, never below the floor', () => {
    expect(isThrottled(throttled)).toBe(true);
    expect(retryAfterMs(throttled)).toBe(12);
    expect(throttleDelay(throttled, 5)).toBe(12);
    expect(throttleDelay(throttled, 100)).toBe(100);
  });

  it('given the message only (an error wrapping it), then throttled; given other errors, then not', () => {
    expect(isThrottled(new Error('Request rate is large. More Request Units may be needed'))).toBe(true);
    expect(isThrottled(new MongoServerError({ code: 11000, errmsg: 'E11000 duplicate key' }))).toBe(false);
    expect(isThrottled(undefined)).toBe(false);
    expect(retryAfterMs(new Error('no hint'))).toBeUndefined();
  });

  /** A command refused (Cosmos DB asking for `retryAfter` ms) `refusals` times, then answering 'done'. */
  function refusedFirst(refusals: number, retryAfter = 12) {
    const command = async () => {
      command.tries += 1;
      if (command.tries <= refusals) throw throttledRefusal(retryAfter);
      return 'done';
    };
    command.tries = 0;
    return command;
  }

  it('given refusals, then retried until it answers, each refusal counted; other errors thrown at once', async () => {
    const command = refusedFirst(3);
    await expect(retryThrottled('test.unlimited', command)).resolves.toBe('done');
    expect(command.tries).toBe(4);
    expect(await throttledCount('test.unlimited')).toBe(3);
    const failing = async () => {
      throw new Error('E11000');
    };
    await expect(retryThrottled('test.unlimited', failing)).rejects.toThrow('E11000');
  });

  it('given withinMs, then a refusal whose wait would end past it is thrown and left to the caller to count', async () => {
    // Waits of 100 ms (what Cosmos DB asks, above the first back-offs), then 100–200 ms: the third
    // refusal's wait would end 300–400 ms in, past 250.
    const command = refusedFirst(10, 100);
    await expect(retryThrottled('test.within', command, { withinMs: 250 })).rejects.toMatchObject({
      code: 16500,
    });
    expect(command.tries).toBe(3);
    expect(await throttledCount('test.within')).toBe(2);
    const soon = refusedFirst(1);
    await expect(retryThrottled('test.within', soon, { withinMs: 250 })).resolves.toBe('done');
  });
});
