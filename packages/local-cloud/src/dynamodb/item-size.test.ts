/**
 * Item sizes by DynamoDB's documented rules (CapacityUnitCalculations): the examples of the
 * Developer Guide, UTF-8 text, and agreement with dynalite's own capacity-unit `itemSize` on
 * every ASCII item fast-check can build.
 */
import { createRequire } from 'node:module';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { itemSize, numberSize } from './item-size.ts';

// dynalite's item size for consumed capacity, on its raw JSON shape (binary as base64).
const dynalite = createRequire(import.meta.url)('dynalite/db/index.js') as { itemSize: (item: unknown) => number };

describe('itemSize', () => {
  it('counts names and values as the Developer Guide does', () => {
    // "Item sizes and formats": a string of n UTF-8 bytes is n; a null or boolean 1; a list or map 3 + 1 per element.
    expect(itemSize({ id: { S: 'device-1' } })).toBe(2 + 8);
    expect(itemSize({ ok: { BOOL: true }, nothing: { NULL: true } })).toBe(2 + 1 + 7 + 1);
    expect(itemSize({ l: { L: [{ S: 'ab' }, { BOOL: false }] } })).toBe(1 + 3 + (1 + 2) + (1 + 1));
    expect(itemSize({ m: { M: { a: { S: 'xy' } } } })).toBe(1 + 3 + 1 + (1 + 2));
    expect(itemSize({ b: { B: new Uint8Array([1, 2, 3]) } })).toBe(1 + 3);
    expect(itemSize({ ss: { SS: ['a', 'bc'] } })).toBe(2 + 3);
  });

  it('counts text in UTF-8 bytes, names included', () => {
    expect(itemSize({ température: { S: '21 °C' } })).toBe(12 + 6);
    expect(itemSize({ e: { S: '😀' } })).toBe(1 + 4);
  });

  it('counts a number as 1 byte per two significant digits plus 1', () => {
    expect(numberSize('0')).toBe(1);
    expect(numberSize('7')).toBe(2);
    expect(numberSize('12')).toBe(2);
    expect(numberSize('123')).toBe(3);
    expect(numberSize('1000000')).toBe(2);
    expect(numberSize('-7')).toBe(3);
    expect(numberSize('0.0012')).toBe(2);
    expect(numberSize('1733100000000')).toBe(4); // 17331: trailing zeros trimmed
    expect(numberSize('1733100000123')).toBe(8);
  });

  const name = fc.string({ minLength: 1, maxLength: 8, unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz_-.') });
  const number = fc.oneof(
    fc.integer({ min: -1e12, max: 1e12 }).map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e20, max: 1e20 }).map(String),
    fc.tuple(fc.integer({ min: -99999, max: 99999 }), fc.integer({ min: -30, max: 30 })).map(([m, e]) => `${m}e${e}`),
    fc.tuple(fc.nat(9999), fc.nat(9999)).map(([a, b]) => `${a}.${String(b).padStart(4, '0')}`),
  );
  const ascii = fc.string({ maxLength: 20, unit: 'grapheme-ascii' });
  const bytes = fc.uint8Array({ maxLength: 16 });
  const value: fc.Memo<AttributeValue> = fc.memo((depth) =>
    fc.oneof(
      ascii.map((S) => ({ S })),
      number.map((N) => ({ N })),
      bytes.map((B) => ({ B })),
      fc.boolean().map((BOOL) => ({ BOOL })),
      fc.constant({ NULL: true }),
      fc.uniqueArray(ascii, { minLength: 1, maxLength: 4 }).map((SS) => ({ SS })),
      fc.uniqueArray(number, { minLength: 1, maxLength: 4 }).map((NS) => ({ NS })),
      fc.array(bytes, { minLength: 1, maxLength: 3 }).map((BS) => ({ BS })),
      ...(depth > 1
        ? [
            fc.array(value(depth - 1), { maxLength: 3 }).map((L) => ({ L })),
            fc.dictionary(name, value(depth - 1), { maxKeys: 3 }).map((M) => ({ M })),
          ]
        : []),
    ),
  );
  const item = fc.dictionary(name, value(3), { minKeys: 1, maxKeys: 6 });

  it('agrees with dynalite on every ASCII item', () => {
    fc.assert(
      fc.property(item, (generated) => {
        expect(itemSize(generated)).toBe(dynalite.itemSize(toRawJson(generated)));
      }),
      { numRuns: 500 },
    );
  });
});

/** The wire shape dynalite sizes: binary values in base64. */
function toRawJson(item: Record<string, AttributeValue>): unknown {
  const raw = (v: AttributeValue): unknown => {
    if (v.B !== undefined) return { B: Buffer.from(v.B).toString('base64') };
    if (v.BS !== undefined) return { BS: v.BS.map((b) => Buffer.from(b).toString('base64')) };
    if (v.L !== undefined) return { L: v.L.map(raw) };
    if (v.M !== undefined) return { M: toRawJson(v.M) };
    return v;
  };
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, raw(v)]));
}
