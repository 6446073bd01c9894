/** SNS filter policy matching, with the examples of "Amazon SNS message filtering" in the SNS Developer Guide. */
import { describe, expect, it } from 'vitest';
import { attributesDocument, matchesFilterPolicy, parseFilterPolicy } from './filter-policy.ts';

const attributes = attributesDocument({
  customer_interests: { DataType: 'String.Array', StringValue: '["soccer", "rugby", "hockey"]' },
  store: { DataType: 'String', StringValue: 'example_corp' },
  event: { DataType: 'String', StringValue: 'order_placed' },
  price_usd: { DataType: 'Number', StringValue: '210.75' },
  encrypted: { DataType: 'Binary', BinaryValue: 'AAEC' },
});
const matches = (policy: object) => matchesFilterPolicy(parseFilterPolicy(JSON.stringify(policy)), attributes);

describe('SNS filter policies on message attributes', () => {
  it('matches exact strings, one of a list, and String.Array elements', () => {
    expect(matches({ store: ['example_corp'] })).toBe(true);
    expect(matches({ store: ['other', 'example_corp'] })).toBe(true);
    expect(matches({ store: ['other'] })).toBe(false);
    expect(matches({ customer_interests: ['rugby'] })).toBe(true);
    expect(matches({ customer_interests: ['baseball'] })).toBe(false);
  });

  it('needs every key to match (AND), any condition of a key (OR), and $or between policies', () => {
    expect(matches({ store: ['example_corp'], event: ['order_placed'] })).toBe(true);
    expect(matches({ store: ['example_corp'], event: ['order_cancelled'] })).toBe(false);
    expect(matches({ $or: [{ store: ['nope'] }, { event: ['order_placed'] }] })).toBe(true);
  });

  it('matches prefix, suffix and equals-ignore-case', () => {
    expect(matches({ event: [{ prefix: 'order_' }] })).toBe(true);
    expect(matches({ event: [{ suffix: '_placed' }] })).toBe(true);
    expect(matches({ store: [{ 'equals-ignore-case': 'EXAMPLE_CORP' }] })).toBe(true);
    expect(matches({ event: [{ prefix: 'ship' }] })).toBe(false);
  });

  it('matches anything-but values and prefixes, never on a missing attribute', () => {
    expect(matches({ store: [{ 'anything-but': ['other', 'third'] }] })).toBe(true);
    expect(matches({ store: [{ 'anything-but': 'example_corp' }] })).toBe(false);
    expect(matches({ event: [{ 'anything-but': { prefix: 'order' } }] })).toBe(false);
    expect(matches({ customer_interests: [{ 'anything-but': ['rugby'] }] })).toBe(false);
    expect(matches({ missing: [{ 'anything-but': 'x' }] })).toBe(false);
  });

  it('compares numbers with numeric operators and ranges, and exact numbers', () => {
    expect(matches({ price_usd: [{ numeric: ['>=', 100] }] })).toBe(true);
    expect(matches({ price_usd: [{ numeric: ['>', 0, '<=', 150] }] })).toBe(false);
    expect(matches({ price_usd: [{ numeric: ['=', 210.75] }] })).toBe(true);
    expect(matches({ price_usd: [210.75] })).toBe(true);
    expect(matches({ store: [{ numeric: ['>', 0] }] })).toBe(false);
  });

  it('checks presence with exists, and never matches a Binary attribute', () => {
    expect(matches({ store: [{ exists: true }] })).toBe(true);
    expect(matches({ missing: [{ exists: false }] })).toBe(true);
    expect(matches({ store: [{ exists: false }] })).toBe(false);
    expect(matches({ encrypted: [{ exists: true }] })).toBe(false);
  });

  it('matches nested body properties for FilterPolicyScope MessageBody', () => {
    const policy = parseFilterPolicy(JSON.stringify({ alarm: { state: ['ALARM'], device: [{ prefix: 'd-' }] } }));
    expect(matchesFilterPolicy(policy, { alarm: { state: 'ALARM', device: 'd-7' } })).toBe(true);
    expect(matchesFilterPolicy(policy, { alarm: { state: 'OK', device: 'd-7' } })).toBe(false);
    expect(matchesFilterPolicy(policy, { other: true })).toBe(false);
  });

  it('refuses policies SNS refuses, naming the problem', () => {
    expect(() => parseFilterPolicy('not json')).toThrow(/FilterPolicy/);
    expect(() => parseFilterPolicy('["a"]')).toThrow(/JSON object/);
    expect(() => parseFilterPolicy('{"a":[]}')).toThrow(/empty list/);
    expect(() => parseFilterPolicy('{"a":[{"regex":"x"}]}')).toThrow(/Unrecognized match type regex/);
    expect(() => parseFilterPolicy('{"a":[{"numeric":[">"]}]}')).toThrow(/numeric/);
    expect(() => parseFilterPolicy('{"a":"b"}')).toThrow(/array of conditions/);
  });
});
