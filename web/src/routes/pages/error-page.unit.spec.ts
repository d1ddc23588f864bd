import { describe, expect, it } from 'vitest';
import { errorPage } from './error-page';

const assets = { script: '/assets/client-AAAAAAAA.js', styles: ['/assets/client-BBBBBBBB.css'] };

describe('errorPage', () => {
  it('tells the shopper what to do, styled like the shop, with no script', () => {
    const html = errorPage(429, 'Too many requests; try again in 1 minute', assets);
    expect(html).toContain('Wait a minute, then try again.');
    expect(html).toContain('<link rel="stylesheet" href="/assets/client-BBBBBBBB.css">');
    expect(html).not.toContain('<script');
  });

  it('escapes a message it shows as it is', () => {
    const html = errorPage(418, '<img src=x onerror=alert(1)>', assets);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img');
  });

  it('never shows a server error’s message', () => {
    expect(errorPage(500, 'connection string mongodb://secret', assets)).not.toContain('secret');
  });
});
