import { describe, expect, it } from 'vitest';
import { trustProxyOption } from './config';

describe('trustProxyOption', () => {
  it('trusts no proxy by default and every peer only when told', () => {
    expect(trustProxyOption('false')).toBe(false);
    expect(trustProxyOption('true')).toBe(true);
  });

  it('reads a hop count as the nearest N hops', () => {
    const trust = trustProxyOption('1') as (address: string, hop: number) => boolean;
    expect([trust('10.0.0.1', 0), trust('10.0.0.2', 1)]).toEqual([true, false]);
  });

  it('reads a list of addresses and CIDRs', () => {
    expect(trustProxyOption('10.0.0.0/8, 192.168.1.1')).toEqual(['10.0.0.0/8', '192.168.1.1']);
  });
});
