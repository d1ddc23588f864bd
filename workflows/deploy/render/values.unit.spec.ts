import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_VALUES_FILE, parseValues, ValuesError } from './values';

const production = () =>
  JSON.parse(readFileSync(DEFAULT_VALUES_FILE, 'utf8')) as Record<string, Record<string, unknown>>;
const blue = JSON.parse(readFileSync(join(DEFAULT_VALUES_FILE, '..', 'colour-blue.json'), 'utf8')) as unknown;

describe('release values', () => {
  it('merges the colour overlay into the production values', () => {
    expect(parseValues(production(), blue).colourEnv.ordering).toEqual({ STOCK_RETIRE_OUTPUTS: 'true' });
  });

  it('names the field of a misspelt or mistyped value', () => {
    const typo = production();
    typo.web!.minReplica = 3;
    expect(() => parseValues(typo, blue)).toThrow(ValuesError);
    expect(() => parseValues(typo, blue)).toThrow(/\/web/);
    const wrong = production();
    wrong.web!.drainSeconds = '10';
    expect(() => parseValues(wrong, blue)).toThrow(/\/web\/drainSeconds/);
    expect(() => parseValues(production(), { env: { smoke: {} } })).toThrow(/colour/);
  });

  it('holds processorBuckets to the bounds the services accept for PROCESSOR_BUCKETS, and requires it', () => {
    const tooMany = production() as Record<string, unknown>;
    tooMany.processorBuckets = 1025;
    expect(() => parseValues(tooMany, blue)).toThrow(/\/processorBuckets/);
    const none = production() as Record<string, unknown>;
    delete none.processorBuckets;
    expect(() => parseValues(none, blue)).toThrow(/processorBuckets/);
  });

  it('refuses a drain as long as the grace period, a web maximum below its minimum, equal hosts', () => {
    const values = production();
    values.ordering!.drainSeconds = 60;
    values.web!.maxReplicas = 2;
    values.hosts!.preview = values.hosts!.shop;
    expect(() => parseValues(values, blue)).toThrow(
      'ordering.drainSeconds must be shorter than terminationGracePeriodSeconds; web.maxReplicas must be at least web.minReplicas; hosts.shop and hosts.preview must differ',
    );
  });
});
