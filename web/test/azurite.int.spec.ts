import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startAzurite } from './azurite';

describe('startAzurite', () => {
  it('does not take another server on its port for Azurite', async () => {
    // What a test beside this one may do between freePort() and Azurite's bind: listen there first.
    const other = createServer((_request, response) => response.writeHead(404).end());
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const { port } = other.address() as AddressInfo;
    try {
      await expect(startAzurite({ port })).rejects.toThrow(/azurite-blob/);
    } finally {
      other.close();
    }
  });

  it('starts one that answers as Azurite', async () => {
    const azurite = await startAzurite();
    try {
      const endpoint = /BlobEndpoint=([^;]+);/.exec(azurite.connectionString)?.[1];
      const response = await fetch(`${endpoint}?comp=list`);
      expect(response.headers.get('server')).toMatch(/^Azurite-Blob/);
    } finally {
      await azurite.stop();
    }
  });
});
