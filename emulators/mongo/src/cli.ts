import { type CosmosOptions, type MongoServerOptions, startMongoServer } from './index.js';

const USAGE = `Usage: mongo-emulator [options]
  --port <n>                 TCP port (default 27017; 0 = any free port)
  --bind <host>              interface to bind (default 127.0.0.1)
  --dbpath <dir>             data directory (default ./__mongo_data__)
  --replSet <name>           replica set name (default rs0)
  --host <h:p>               advertised host (repeatable; default 127.0.0.1:<port>)
  --inMemory                 no data directory; nothing survives a restart
  --fsync always|interval|never   journal durability (default always, group commit)
  --oplogMaxEntries <n>      change-log retention in entries (default 100000)
  --oplogMaxAgeSeconds <n>   change-log retention in seconds (default 86400)
  --logLevel silent|error|info|debug (default info)
  --cosmos                   behave like Azure Cosmos DB's API for MongoDB (change streams, transactions)
  --throttleRate <0..1>      with --cosmos: share of commands answered 16500 TooManyRequests (default 0)
  --retryAfterMs <n>         with --cosmos: the RetryAfterMs those errors name (default 10)
  --mongodVersion 7.0|8.0    mongod release presented (buildInfo, maxWireVersion) and followed (default 7.0)`;

/** The Cosmos DB options parsed so far (the throttling flags imply `--cosmos`). */
function cosmosOf(opts: MongoServerOptions): CosmosOptions {
  return typeof opts.cosmos === 'object' ? opts.cosmos : {};
}

function parseArgs(argv: string[]): MongoServerOptions {
  const opts: MongoServerOptions = { logLevel: 'info' };
  const hosts: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--port':
        opts.port = Number(value());
        break;
      case '--bind':
      case '--bind_ip':
        opts.bind = value();
        break;
      case '--dbpath':
      case '--dbPath':
        opts.dbPath = value();
        break;
      case '--replSet':
        opts.replSet = value();
        break;
      case '--host':
        hosts.push(value());
        break;
      case '--inMemory':
        opts.inMemory = true;
        break;
      case '--fsync': {
        const v = value();
        if (v !== 'always' && v !== 'interval' && v !== 'never') throw new Error(`bad --fsync ${v}`);
        opts.fsync = v;
        break;
      }
      case '--oplogMaxEntries':
        opts.oplogMaxEntries = Number(value());
        break;
      case '--oplogMaxAgeSeconds':
        opts.oplogMaxAgeSeconds = Number(value());
        break;
      case '--logLevel': {
        const v = value();
        if (v !== 'silent' && v !== 'error' && v !== 'info' && v !== 'debug')
          throw new Error(`bad --logLevel ${v}`);
        opts.logLevel = v;
        break;
      }
      case '--cosmos':
        opts.cosmos = cosmosOf(opts);
        break;
      case '--throttleRate': {
        const rate = Number(value());
        if (!(rate >= 0 && rate <= 1)) throw new Error(`bad --throttleRate ${rate}: 0..1`);
        opts.cosmos = { ...cosmosOf(opts), throttleRate: rate };
        break;
      }
      case '--retryAfterMs':
        opts.cosmos = { ...cosmosOf(opts), retryAfterMs: Number(value()) };
        break;
      case '--mongodVersion': {
        const v = value();
        if (v !== '7.0' && v !== '8.0') throw new Error(`bad --mongodVersion ${v}: 7.0 or 8.0`);
        opts.mongodVersion = v;
        break;
      }
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${arg}\n${USAGE}`);
    }
  }
  if (hosts.length) opts.hosts = hosts;
  return opts;
}

async function main(): Promise<void> {
  // Its data is unauthenticated and unencrypted: never a production database. (The same line as
  // common's refuseToStartInProduction, which this package cannot import: common depends on it.)
  if (process.env.NODE_ENV === 'production') {
    console.error('Refused in production: the dev Mongo server is for development and tests only');
    process.exit(1);
  }
  let opts: MongoServerOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const server = await startMongoServer(opts);
  const where = `${opts.inMemory ? 'in memory' : `dbpath ${opts.dbPath ?? '__mongo_data__'}`}${opts.cosmos ? ', Cosmos DB behaviour' : ''}`;
  if (opts.logLevel !== 'silent') {
    console.log(
      `mongo-emulator ready on ${opts.bind ?? '127.0.0.1'}:${server.port} (replSet ${opts.replSet ?? 'rs0'}, ${where})`,
    );
  }
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    if (opts.logLevel !== 'silent') console.log(`mongo-emulator: ${signal}, flushing and stopping`);
    server.stop().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(`mongo-emulator failed to start: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
