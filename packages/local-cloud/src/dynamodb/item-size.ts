/**
 * An item's size as DynamoDB counts it ("Item sizes and formats", DynamoDB Developer Guide,
 * CapacityUnitCalculations): the UTF-8 bytes of each attribute name plus its value's size.
 * Strings: UTF-8 bytes; binary: raw bytes; numbers: 1 byte per two significant digits plus 1
 * (leading and trailing zeros trimmed; the digit pairs follow the decimal point, and a negative
 * number takes one more); null and booleans: 1 byte; lists and maps: 3 bytes plus 1 per element
 * (plus, for maps, the element names); sets: the sum of their elements.
 *
 * The number rule is dynalite's own (`itemSize` in dynalite/db/index.js, which it uses for
 * consumed capacity), written without big.js; dynalite counts strings in UTF-16 code units, so
 * its figure is off for non-ASCII text while this one counts UTF-8 bytes as DynamoDB does.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type Item = Record<string, AttributeValue>;

export function itemSize(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name, 'utf8') + valueSize(value);
  return size;
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S, 'utf8');
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return binarySize(value.B);
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s, 'utf8'), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + binarySize(b), 0);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, element) => sum + 1 + valueSize(element), 0);
  if (value.M !== undefined) return 3 + Object.keys(value.M).length + itemSize(value.M);
  return 0;
}

// The SDK hands binary values as bytes; a raw JSON body would carry base64.
const binarySize = (value: Uint8Array | string): number =>
  typeof value === 'string' ? Buffer.from(value, 'base64').length : value.byteLength;

const numberPattern = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** 1 + ⌈digits/2⌉, one more when the significant digits do not start on a digit pair, one more for a minus sign. */
export function numberSize(text: string): number {
  const match = numberPattern.exec(text.trim());
  if (!match) return 1 + Math.ceil(text.length / 2);
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  let digits = whole + fraction;
  // The decimal point sits after `point` digits.
  let point = whole.length + Number(exponent);
  const leadingZeros = /^0*/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(leadingZeros).replace(/0+$/, '');
  point -= leadingZeros;
  if (digits.length === 0) return 1;
  const count = digits.length;
  // The exponent of the first significant digit (d.ddd × 10^e); DynamoDB stores digit pairs
  // aligned on it, so an odd digit count or an odd exponent fits exactly, otherwise one byte more.
  const e = point - 1;
  return 1 + Math.ceil(count / 2) + (count % 2 !== 0 || e % 2 !== 0 ? 0 : 1) + (sign === '-' ? 1 : 0);
}
