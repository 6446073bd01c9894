import { describe, expect, it } from 'vitest';
import { createDeliveryRecorder } from './delivery-recorder.ts';

const reading = (seq: number, ts: number) => new TextEncoder().encode(JSON.stringify({ ts, seq, temperature: 21 }));
const topic = (deviceId: string) => `fleet/devices/${deviceId}/telemetry`;
const t0 = Date.now();

describe('delivery recorder', () => {
  it('counts distinct readings and their publish→arrival, and a redelivery only as a duplicate', () => {
    const recorder = createDeliveryRecorder();
    recorder.record(topic('d1'), reading(1, t0), t0 + 30);
    recorder.record(topic('d2'), reading(1, t0), t0 + 10);
    recorder.record(topic('d1'), reading(2, t0 + 5), t0 + 25);
    recorder.record(topic('d1'), reading(1, t0), t0 + 90); // QoS 1 redelivery
    expect(recorder.snapshot()).toEqual({
      delivered: 3,
      duplicates: 1,
      unreadable: 0,
      lastDeliveredAt: t0 + 90,
      publishToDelivery: { samples: 3, p50Ms: 20, p99Ms: 30, maxMs: 30 },
    });
  });

  it('counts a message that is not a reading of a telemetry topic as unreadable, not as delivered', () => {
    const recorder = createDeliveryRecorder();
    recorder.record('fleet/devices/d1/commands', reading(1, t0), t0 + 1);
    recorder.record(topic('d1'), new TextEncoder().encode('not json'), t0 + 1);
    recorder.record(topic('d1'), new TextEncoder().encode(JSON.stringify({ ts: t0, seq: 1, name: 'text' })), t0 + 1);
    expect(recorder.snapshot()).toMatchObject({ delivered: 0, unreadable: 3, lastDeliveredAt: 0, publishToDelivery: { samples: 0 } });
  });

  it('starts from zero after a reset, so a warm-up is not counted in the run', () => {
    const recorder = createDeliveryRecorder();
    recorder.record(topic('d1'), reading(1, t0), t0 + 5);
    recorder.reset();
    expect(recorder.snapshot()).toMatchObject({ delivered: 0, duplicates: 0, lastDeliveredAt: 0 });
    recorder.record(topic('d1'), reading(1, t0), t0 + 7);
    expect(recorder.snapshot()).toMatchObject({ delivered: 1, duplicates: 0, publishToDelivery: { p50Ms: 7 } });
  });
});
