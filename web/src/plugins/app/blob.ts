import { backoffDelay, sleep } from '@az-shop/common/backoff';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    /** The product-image container; web is its only writer. */
    blob: ContainerClient;
    /**
     * Resolves once the container exists (created on first start), rejects when the storage refuses
     * it (a 4xx: a wrong key, a bad name). Until then the readiness check `blob` fails.
     */
    blobContainerReady: Promise<void>;
  }
}

export interface BlobPluginOptions {
  connectionString: string;
  containerName: string;
  /** Pause between attempts while the storage can not be reached (default 250 ms, doubling to 2 s). */
  retryBaseMs?: number;
}

/** One attempt's own bound, so a storage that accepts but never answers can not hold an attempt. */
const ATTEMPT_MS = 2_000;
const RETRY_MAX_MS = 2_000;

/** A 4xx answer: waiting would not change it. */
function refused(error: unknown): boolean {
  const status = (error as { statusCode?: number }).statusCode;
  return status !== undefined && status >= 400 && status < 500;
}

/**
 * Creates the container unless it exists, trying again while the storage can not be reached, until
 * it answers or `signal` aborts. One try per attempt (the SDK's own retries back off 0, 4, 12 s…),
 * each bounded. Returns whether it created the container; a refusal (4xx) is thrown at once.
 */
export async function createContainerWhenReachable(
  container: ContainerClient,
  { signal, log, retryBaseMs = 250 }: { signal: AbortSignal; log: FastifyBaseLogger; retryBaseMs?: number },
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      const { succeeded } = await container.createIfNotExists({
        abortSignal: AbortSignal.any([signal, AbortSignal.timeout(ATTEMPT_MS)]),
      });
      if (attempt > 1) log.info({ attempts: attempt }, 'blob storage answered');
      return succeeded;
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (refused(error)) throw error;
      if (attempt === 1) log.warn({ err: error, url: container.url }, 'waiting for blob storage');
      // Cut short by a close: the next attempt then sees the abort.
      await sleep(backoffDelay(attempt, retryBaseMs, RETRY_MAX_MS), signal);
    }
  }
}

/**
 * The image container, created on first start (safe to repeat). Not awaited here: a storage that is
 * not there yet (Azurite restarted beside web, as pm2 and `npm run dev` do) would outlast Fastify's
 * 10 s plugin timeout, and pm2 answered that failed start by restarting web in a loop. Web starts
 * instead, its readiness check `blob` failing until the container exists; `blobContainerReady` says
 * when (the demo seed waits for it).
 */
export const blobPlugin = fp<BlobPluginOptions>(
  async (app: FastifyInstance, { connectionString, containerName, retryBaseMs }) => {
    const container = BlobServiceClient.fromConnectionString(connectionString, {
      retryOptions: { maxTries: 1 },
    }).getContainerClient(containerName);
    const closing = new AbortController();
    const ready = createContainerWhenReachable(container, {
      signal: closing.signal,
      log: app.log,
      ...(retryBaseMs !== undefined && { retryBaseMs }),
    }).then(
      (created) => {
        if (created) app.log.info({ container: containerName }, 'created blob container');
      },
      (error: unknown) => {
        if (!closing.signal.aborted)
          app.log.error({ err: error, container: containerName }, 'blob storage refused the container');
        throw error;
      },
    );
    // Handled here; awaiting `blobContainerReady` still sees the rejection.
    ready.catch(() => {});
    app.addHook('onClose', async () => closing.abort());
    app.decorate('blobContainerReady', ready);
    // The app's own container keeps the SDK's retries: requests ride out a short blip.
    app.decorate(
      'blob',
      BlobServiceClient.fromConnectionString(connectionString).getContainerClient(containerName),
    );
  },
  { name: 'az-shop-blob' },
);
