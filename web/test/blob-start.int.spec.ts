// Web's start against a blob storage that is not there yet (Azurite restarted beside web, as pm2 or
// `npm run dev` do): the image container's plugin waits a bounded time, with its own error, never
// Fastify's plugin timeout (which pm2 answered by restarting web in a loop).
import { BlobServiceClient } from '@azure/storage-blob';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { blobPlugin } from '../src/plugins/app/blob';
import { type Azurite, azuriteConnectionString, freePort, startAzurite } from './azurite';

const CONTAINER = 'start-wait';
let app: FastifyInstance | undefined;
let azurite: Azurite | undefined;

afterEach(async () => {
  await app?.close().catch(() => {});
  await azurite?.stop();
  app = undefined;
  azurite = undefined;
});

describe('the blob plugin at start', () => {
  it('given no storage listening, then start-up fails with its own error once its wait is over, inside the plugin timeout', async () => {
    const port = await freePort();
    app = Fastify({ pluginTimeout: 10_000 });
    app.register(blobPlugin, {
      connectionString: azuriteConnectionString(port),
      containerName: CONTAINER,
      waitMs: 1_500,
    });

    const started = performance.now();
    const error = await app.ready().then(
      () => undefined,
      (failure: unknown) => failure as Error,
    );
    const ms = performance.now() - started;

    expect(error?.message).toMatch(/did not answer within 1500 ms: is Azurite running\?/);
    expect(ms).toBeGreaterThanOrEqual(1_300);
    expect(ms).toBeLessThan(5_000);
  }, 20_000);

  it('given Azurite starting a moment after web, then the plugin waits for it and creates the container', async () => {
    const port = await freePort();
    const connectionString = azuriteConnectionString(port);
    app = Fastify({ pluginTimeout: 10_000 });
    app.register(blobPlugin, { connectionString, containerName: CONTAINER });

    const ready = app.ready();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    azurite = await startAzurite({ port });
    await ready;

    expect(await app.blob.exists()).toBe(true);
    const listed = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(CONTAINER);
    expect(await listed.exists()).toBe(true);
  }, 30_000);
});
