import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src/config';

describe('redactSecrets', () => {
  it.each([
    ['mongodb://shop:hunter2@db.example.com/azshop', 'mongodb://shop:***@db.example.com/azshop'],
    [
      'mongodb+srv://shop:p%40ss@cluster0.example.net/azshop',
      'mongodb+srv://shop:***@cluster0.example.net/azshop',
    ],
    [
      'mongodb://shop:un@escaped@h1:27017,h2:27017/db?appName=@shop@',
      'mongodb://shop:***@h1:27017,h2:27017/db?appName=@shop@',
    ],
    ['failed: shop:hunter2@db.example.com', 'failed: shop:***@db.example.com'],
    ['https://ghp_token123@github.com/x', 'https://***@github.com/x'],
    [
      'AccountName=shop;AccountKey=abc+/==;EndpointSuffix=core.windows.net',
      'AccountName=shop;AccountKey=***;EndpointSuffix=core.windows.net',
    ],
    [
      'BlobEndpoint=https://x/;SharedAccessSignature=sv=2024&sig=abc',
      'BlobEndpoint=https://x/;SharedAccessSignature=***',
    ],
  ])('hides the secret in %s', (text, shown) => {
    expect(redactSecrets(text)).toBe(shown);
  });

  it.each([
    'mongodb://127.0.0.1:27017/azshop?replicaSet=rs0',
    'connect ECONNREFUSED 127.0.0.1:27017',
    'sam@example.com at 12:30',
  ])('leaves text without secrets as it is: %s', (text) => {
    expect(redactSecrets(text)).toBe(text);
  });
});
