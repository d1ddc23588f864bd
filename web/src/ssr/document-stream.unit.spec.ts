import { describe, expect, it } from 'vitest';
import { documentStream } from './document-stream';

describe('documentStream', () => {
  it('sends the head with React’s first batch, one chunk per batch, and the tail at the end', async () => {
    const stream = documentStream('<head>', async () => '</body>');
    const received: string[] = [];
    stream.on('data', (chunk: Buffer) => received.push(chunk.toString()));
    const ended = new Promise((resolve) => stream.on('end', resolve));

    stream.write(new TextEncoder().encode('<main>'));
    stream.write(new TextEncoder().encode('shell'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(received).toEqual([]); // nothing until React says the batch is complete
    stream.flush();
    stream.write(new TextEncoder().encode('<template>boundary</template>'));
    stream.flush();
    stream.end(new TextEncoder().encode('<script>late</script>'));
    await ended;

    expect(received).toEqual([
      '<head><main>shell',
      '<template>boundary</template>',
      '<script>late</script></body>',
    ]);
  });

  it('fails the response when the tail cannot be made', async () => {
    const stream = documentStream('<head>', async () => {
      throw new Error('hydration data failed');
    });
    stream.resume();
    const failed = new Promise((resolve) => stream.on('error', resolve));
    stream.end();
    await expect(failed).resolves.toMatchObject({ message: 'hydration data failed' });
  });
});
