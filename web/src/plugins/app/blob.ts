import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    /** The product-image container; web is its only writer. */
    blob: ContainerClient;
  }
}

export interface BlobPluginOptions {
  connectionString: string;
  containerName: string;
  /**
   * How long start-up waits for the storage to answer (Azurite started at the same moment as web).
   * Under Fastify's 10 s plugin timeout, so a storage that stays away is this plugin's own error.
   */
  waitMs?: number;
}

/** Default wait: Azurite (re)starts in 1–3 s; a missing storage fails web 2 s before Fastify would. */
export const BLOB_START_WAIT_MS = 8_000;
/** One attempt's own bound, so a storage that accepts but never answers cannot hold the wait past it. */
const ATTEMPT_MS = 2_000;
const PAUSE_MS = 200;

/**
 * Creates the container unless it exists, retrying while the storage can not be reached, until
 * `waitMs` has passed. Its own client with the SDK's retries off: their back-off (0, 4, 12 s…)
 * outlasted Fastify's plugin timeout, so a web started beside a restarting Azurite failed with
 * a plugin timeout, and pm2 restarted it in a loop. An answer that is a refusal (a 4xx: a wrong key,
 * a bad name) fails at once: waiting would not change it. Returns whether it created the container.
 */
export async function createContainerWithin(
  connectionString: string,
  containerName: string,
  { waitMs = BLOB_START_WAIT_MS, log }: { waitMs?: number; log?: FastifyBaseLogger } = {},
): Promise<boolean> {
  const container = BlobServiceClient.fromConnectionString(connectionString, {
    retryOptions: { maxTries: 1 },
  }).getContainerClient(containerName);
  const deadline = Date.now() + waitMs;
  for (let attempt = 1; ; attempt++) {
    const left = deadline - Date.now();
    try {
      const { succeeded } = await container.createIfNotExists({
        abortSignal: AbortSignal.timeout(Math.max(1, Math.min(ATTEMPT_MS, left))),
      });
      if (attempt > 1) log?.info({ attempts: attempt }, 'blob storage answered');
      return succeeded;
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status !== undefined && status >= 400 && status < 500) throw error;
      if (deadline - Date.now() <= PAUSE_MS) {
        throw new Error(
          `Blob storage (${container.url}) did not answer within ${waitMs} ms: is Azurite running? (${(error as Error).message})`,
          { cause: error },
        );
      }
      if (attempt === 1) log?.warn({ err: error }, 'waiting for blob storage');
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
  }
}

/**
 * Opens the image container, creating it on first start (safe to repeat). The wait for the storage
 * is bounded (`createContainerWithin`); the container the app uses keeps the SDK's own retries.
 */
export const blobPlugin = fp<BlobPluginOptions>(
  async (app: FastifyInstance, { connectionString, containerName, waitMs }) => {
    const created = await createContainerWithin(connectionString, containerName, {
      ...(waitMs !== undefined && { waitMs }),
      log: app.log,
    });
    if (created) app.log.info({ container: containerName }, 'created blob container');
    app.decorate(
      'blob',
      BlobServiceClient.fromConnectionString(connectionString).getContainerClient(containerName),
    );
  },
  { name: 'az-shop-blob' },
);
