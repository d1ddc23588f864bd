import type { StaticHandlerContext } from 'react-router';
import { describe, expect, it } from 'vitest';
import { escapeJsonForHtml, reviveHydrationData, serializeHydrationData } from './hydration';

function contextWith(partial: Partial<StaticHandlerContext>): StaticHandlerContext {
  return { loaderData: {}, actionData: null, errors: null, ...partial } as StaticHandlerContext;
}

describe('escapeJsonForHtml', () => {
  it('leaves nothing that can close a script element or open a comment', () => {
    const json = JSON.stringify({ text: '</script><!-- & \u2028' });
    const escaped = escapeJsonForHtml(json);
    expect(escaped).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(escaped)).toEqual({ text: '</script><!-- & \u2028' });
  });
});

describe('serializeHydrationData → reviveHydrationData', () => {
  it('keeps plain loader data as it is', async () => {
    const json = await serializeHydrationData(
      contextWith({ loaderData: { home: { catalog: { total: 2 } } } }),
    );
    expect(reviveHydrationData(json)?.loaderData).toEqual({ home: { catalog: { total: 2 } } });
  });

  it('sends deferred values settled and turns them back into promises', async () => {
    const json = await serializeHydrationData(
      contextWith({
        loaderData: { product: { product: { id: 'a' }, related: Promise.resolve([{ id: 'b' }]) } },
      }),
    );
    const revived = reviveHydrationData(json)?.loaderData?.product as {
      product: unknown;
      related: Promise<unknown>;
    };
    expect(revived.product).toEqual({ id: 'a' });
    await expect(revived.related).resolves.toEqual([{ id: 'b' }]);
  });

  it('sends a failed deferred value as a rejection without the server message', async () => {
    const failing = Promise.reject(new Error('database password is hunter2'));
    const json = await serializeHydrationData(contextWith({ loaderData: { product: { related: failing } } }));
    expect(json).not.toContain('hunter2');
    const revived = reviveHydrationData(json)?.loaderData?.product as { related: Promise<unknown> };
    await expect(revived.related).rejects.toThrow('Could not load this part of the page');
  });

  it('does not hold the page for a deferred value that never settles', async () => {
    const never = new Promise(() => {});
    const json = await serializeHydrationData(
      contextWith({ loaderData: { product: { related: never } } }),
      10,
    );
    const revived = reviveHydrationData(json)?.loaderData?.product as { related: Promise<unknown> };
    await expect(revived.related).rejects.toThrow('Could not load this part of the page');
  });

  it('keeps route error responses recognisable and hides other errors', async () => {
    const json = await serializeHydrationData(
      contextWith({
        errors: {
          pages: { status: 404, statusText: 'Not Found', data: null, internal: false },
          other: new Error('stack trace and secrets'),
        },
      }),
    );
    expect(json).not.toContain('secrets');
    const errors = reviveHydrationData(json)?.errors ?? {};
    expect(errors.pages).toEqual({ status: 404, statusText: 'Not Found', data: null, internal: false });
    expect(errors.other).toBeInstanceOf(Error);
  });

  it('answers undefined when the page carries no data', () => {
    expect(reviveHydrationData(undefined)).toBeUndefined();
    expect(reviveHydrationData('')).toBeUndefined();
  });
});
