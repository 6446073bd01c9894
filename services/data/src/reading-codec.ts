/**
 * Compact encoding of a reading's values inside a window item: one JSON string attribute
 * (`{"temperature":21.5,"humidity":40}`). A string costs its UTF-8 length; a DynamoDB map would
 * cost the same names plus per-entry type overhead and a more verbose wire format.
 */

/** Encodes metric values for storage. */
export function encodeValues(values: Readonly<Record<string, number>>): string {
  return JSON.stringify(values);
}

/** Decodes what `encodeValues` wrote; throws with the offending text when it is not a record of numbers. */
export function decodeValues(encoded: string): Record<string, number> {
  const parsed: unknown = JSON.parse(encoded);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`stored reading values must be a JSON object, received ${encoded.slice(0, 100)}`);
  }
  const values: Record<string, number> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value !== 'number') throw new Error(`stored metric "${name}" must be a number, received ${JSON.stringify(value)}`);
    values[name] = value;
  }
  return values;
}
