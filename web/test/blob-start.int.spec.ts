// Web's start against a blob storage that is not there yet (Azurite restarted beside web, as pm2 and
// `npm run dev` do): the image container's plugin does not wait for it, so no plugin timeout (which
// pm2 answered by restarting web in a loop); the readiness check fails until the container exists.
import { BlobServiceClient } from '@azure/storage-blob';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { blobPlugin } from '../src/plugins/app/blob';
import { type Azurite, azuriteConnectionString, freePort, startAzurite } from './azurite';

const CONTAINER = 'start-wait';
let app: FastifyInstance | undefined;
let azurite: Azurite | undefined;

afterEach(async () => {
  await app?.close();
  await azurite?.stop();
  app = undefined;
  azurite = undefined;
});

const containerOf = (connectionString: string) =>
  BlobServiceClient.fromConnectionString(connectionString).getContainerClient(CONTAINER);

describe('the blob plugin at start', () => {
  it('given no storage for longer than the plugin timeout, then the app starts, and the container comes with the storage', async () => {
    const port = await freePort();
    const connectionString = azuriteConnectionString(port);
    app = Fastify({ pluginTimeout: 2_000 });
    app.register(blobPlugin, { connectionString, containerName: CONTAINER, retryBaseMs: 50 });

    await app.ready();
    let created = false;
    void app.blobContainerReady.then(() => {
      created = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(created).toBe(false);

    azurite = await startAzurite({ port });
    await app.blobContainerReady;
    expect(await containerOf(connectionString).exists()).toBe(true);
  }, 30_000);

  it('given Azurite starting a moment after web, then the container is created once it answers', async () => {
    const port = await freePort();
    const connectionString = azuriteConnectionString(port);
    app = Fastify({ pluginTimeout: 10_000 });
    app.register(blobPlugin, { connectionString, containerName: CONTAINER });

    await app.ready();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    azurite = await startAzurite({ port });
    await app.blobContainerReady;

    expect(await app.blob.exists()).toBe(true);
  }, 30_000);

  it('given the storage refusing the container name, then blobContainerReady rejects with its answer', async () => {
    azurite = await startAzurite();
    app = Fastify();
    app.register(blobPlugin, { connectionString: azurite.connectionString, containerName: 'Not_A_Name' });

    await app.ready();
    await expect(app.blobContainerReady).rejects.toMatchObject({ statusCode: 400 });
  }, 30_000);

  it('given the app closing while the storage is away, then it closes at once', async () => {
    const port = await freePort();
    app = Fastify();
    app.register(blobPlugin, { connectionString: azuriteConnectionString(port), containerName: CONTAINER });
    await app.ready();

    const started = performance.now();
    await app.close();
    app = undefined;
    expect(performance.now() - started).toBeLessThan(1_000);
  }, 30_000);
});
