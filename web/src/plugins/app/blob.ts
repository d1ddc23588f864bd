import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import type { FastifyInstance } from 'fastify';
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
}

/** Opens the image container, creating it on first start (safe to repeat: `createIfNotExists`). */
export const blobPlugin = fp<BlobPluginOptions>(
  async (app: FastifyInstance, { connectionString, containerName }) => {
    const container =
      BlobServiceClient.fromConnectionString(connectionString).getContainerClient(containerName);
    const { succeeded } = await container.createIfNotExists();
    if (succeeded) app.log.info({ container: containerName }, 'created blob container');
    app.decorate('blob', container);
  },
  { name: 'az-shop-blob' },
);
