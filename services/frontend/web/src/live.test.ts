/**
 * Live messages are judged as the Data Service judges readings (`parseReading` of `@fleet/core`):
 * what it would dead-letter never reaches the live chart. The app's old parser took each of these.
 */
import { topics } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import { liveTopic, parseLive } from './live.ts';

const now = 1_732_440_000_000;
const payload = (body: unknown) => new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));

describe('live messages', () => {
  it('subscribes to the topic devices publish on, as core names it', () => {
    expect(liveTopic('sensor-1')).toBe(topics.telemetry('sensor-1'));
  });

  it('takes a reading the Data Service accepts', () => {
    expect(parseLive('sensor-1', payload({ ts: now - 1000, seq: 4, temperature: 21.5 }), now)).toEqual({
      deviceId: 'sensor-1',
      ts: now - 1000,
      seq: 4,
      values: { temperature: 21.5 },
    });
  });

  it('drops every reading the Data Service would reject', () => {
    for (const body of [
      { ts: now, temperature: 1 }, // no seq
      { ts: now, seq: 1.5, temperature: 1 },
      { ts: now + 3_600_000, seq: 1, temperature: 1 }, // an hour in the future
      { ts: now - 40 * 86_400_000, seq: 1, temperature: 1 }, // older than the retention
      { ts: now, seq: 1, temperature: 'hot' },
      { ts: now, seq: 1, 'bad name': 1 },
      { ts: now, seq: 1 }, // no metric
      { ts: now, seq: 1, ...Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`m${i}`, i])) },
      { ts: now, seq: 1, temperature: 1e200 }, // beyond what DynamoDB stores
    ]) {
      expect(parseLive('sensor-1', payload(body), now), JSON.stringify(body).slice(0, 80)).toBeUndefined();
    }
    expect(parseLive('sensor-1', payload('{"ts":'), now)).toBeUndefined();
  });
});
