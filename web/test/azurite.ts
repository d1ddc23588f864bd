import { type ChildProcess, spawn } from 'node:child_process';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

/** Azurite's well-known development account: public, documented, and accepted by nothing but Azurite. */
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const AZURITE_BLOB = fileURLToPath(new URL('../../node_modules/.bin/azurite-blob', import.meta.url));

export interface Azurite {
  connectionString: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** What answers on `port`: Azurite's `Server` header, another server's (or none), or nothing yet. */
function serverOn(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const request = get({ host: '127.0.0.1', port, path: `/${DEV_ACCOUNT}`, timeout: 1000 }, (response) => {
      response.resume();
      resolve(String(response.headers.server ?? ''));
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(undefined));
  });
}

/**
 * Until Azurite answers on `port`. A free port found by `freePort` may be taken by another server of
 * a test running beside this one before Azurite binds it: Azurite then exits, and that server (a
 * Fastify app answering 404) must not pass for it.
 */
async function waitForAzurite(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`azurite-blob exited with code ${child.exitCode}`);
    if ((await serverOn(port))?.startsWith('Azurite')) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`azurite-blob did not answer on ${port} within ${timeoutMs} ms`);
}

/** The connection string of Azurite's development account on this port (whether it listens or not). */
export function azuriteConnectionString(port: number): string {
  return `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_ACCOUNT_KEY};BlobEndpoint=http://127.0.0.1:${port}/${DEV_ACCOUNT};`;
}

/** A throwaway in-memory Azurite blob service on a free port (or on `port`). */
export async function startAzurite({ port: wanted }: { port?: number } = {}): Promise<Azurite> {
  // A free port another server took first is given up for a new one (a wanted port is not).
  for (let attempt = 1; ; attempt++) {
    const port = wanted ?? (await freePort());
    const child = spawn(
      AZURITE_BLOB,
      [
        ...['--blobHost', '127.0.0.1', '--blobPort', String(port), '--inMemoryPersistence'],
        ...['--skipApiVersionCheck', '--loose', '--disableTelemetry', '--silent'],
      ],
      // In memory, but run from the temp folder in case it writes anything (debug logs) to its cwd.
      { stdio: 'ignore', cwd: tmpdir() },
    );
    const stop = async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    };
    try {
      await waitForAzurite(port, child, 20_000);
      return { connectionString: azuriteConnectionString(port), stop };
    } catch (error) {
      await stop();
      if (wanted !== undefined || attempt === 3) throw error;
    }
  }
}
