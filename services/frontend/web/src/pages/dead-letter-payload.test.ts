import { describe, expect, it } from 'vitest';
import { readablePayload } from './dead-letters-page.tsx';

describe("a dead letter's payload", () => {
  it('decodes a base64 telemetry payload and shows its JSON', () => {
    const payload = Buffer.from('{"ts":1,"seq":2,"temperature":"hot"}').toString('base64');
    expect(readablePayload(payload)).toBe('{\n  "ts": 1,\n  "seq": 2,\n  "temperature": "hot"\n}');
  });

  it('shows a queue message body as received, and bytes that are not UTF-8 as their base64', () => {
    expect(readablePayload('not base64 at all {')).toBe('not base64 at all {');
    const binary = Buffer.from([0xff, 0xfe, 0xfd]).toString('base64');
    expect(readablePayload(binary)).toBe(binary);
  });
});
