/**
 * Live messages are judged as the Data Service judges readings (`parseReading` of `@fleet/core`):
 * what it would dead-letter never reaches the live chart. The app's old parser took each of these.
 */
import { topics } from '@fleet/core';
import { describe, expect, it, vi } from 'vitest';
import { liveStateText, liveTopics, parseLive, watchLive, withLiveReading, type LiveClient, type LiveReading } from './live.ts';

const now = 1_732_440_000_000;
const payload = (body: unknown) => new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));

describe('live messages', () => {
  it('subscribes to the topic devices publish on for a user who sees every device, as core names it', () => {
    expect(liveTopics('sensor-1', { kind: 'all' })).toEqual([topics.telemetry('sensor-1')]);
  });

  it("subscribes a user granted thing groups to the device's re-published readings under each granted group", () => {
    expect(liveTopics('sensor-1', { kind: 'groups', groups: ['a', 'b'] })).toEqual([
      topics.groupTelemetry('a', 'sensor-1'),
      topics.groupTelemetry('b', 'sensor-1'),
    ]);
  });

  it('keeps one reading arriving under two groups, in device-time order, at most the window', () => {
    const r = (ts: number, seq: number): LiveReading => ({ deviceId: 'sensor-1', ts, seq, values: { t: seq } });
    let window: readonly LiveReading[] = [];
    for (const reading of [r(20, 2), r(10, 1), r(20, 2), r(30, 3)]) window = withLiveReading(window, reading, 2);
    expect(window).toEqual([r(20, 2), r(30, 3)]);
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

describe('the live connection', () => {
  /** A broker connection that the test opens, drops and fails at will (mqtt.js's events). */
  function fakeClient() {
    const handlers = new Map<string, (...args: unknown[]) => void>();
    const client = {
      ended: false,
      subscribed: [] as string[],
      on(event: string, handler: (...args: unknown[]) => void) {
        handlers.set(event, handler);
        return client;
      },
      subscribe(topics: string[], _opts: unknown, done: (err: Error | null) => void) {
        client.subscribed.push(...topics);
        done(null);
        return client;
      },
      end() {
        client.ended = true;
        return client;
      },
      emit: (event: string, ...args: unknown[]) => handlers.get(event)?.(...args),
    };
    return client;
  }

  it('says "Live updates on" once subscribed, "Reconnecting…" when the connection drops, and connects again with a fresh URL', async () => {
    const clients: ReturnType<typeof fakeClient>[] = [];
    const states: string[] = [];
    const stop = watchLive({
      connect: async () => {
        const c = fakeClient();
        clients.push(c);
        return { client: c as unknown as LiveClient, access: { kind: 'all' } };
      },
      topics: (access) => liveTopics('sensor-1', access),
      onMessage: () => undefined,
      onState: (s) => states.push(liveStateText(s)),
      retryDelayMs: () => 0,
    });
    await vi.waitFor(() => expect(clients).toHaveLength(1));
    clients[0]!.emit('connect');
    expect(clients[0]!.subscribed).toEqual(['fleet/devices/sensor-1/telemetry']);
    clients[0]!.emit('close');
    await vi.waitFor(() => expect(clients).toHaveLength(2));
    clients[1]!.emit('connect');
    expect(states).toEqual(['Connecting to live updates…', 'Live updates on', 'Reconnecting…', 'Live updates on']);
    expect(states).not.toContain('live');
    stop();
    expect(clients[1]!.ended).toBe(true);
  });

  it('keeps trying when connecting fails (the identity pool or the broker is down), and stops when told', async () => {
    let calls = 0;
    const states: string[] = [];
    const stop = watchLive({
      connect: () => {
        calls += 1;
        return Promise.reject(new Error('network down'));
      },
      topics: (access) => liveTopics('sensor-1', access),
      onMessage: () => undefined,
      onState: (s) => states.push(liveStateText(s)),
      retryDelayMs: () => 0,
    });
    await vi.waitFor(() => expect(calls).toBeGreaterThanOrEqual(3));
    stop();
    const after = calls;
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toBe(after);
    expect(states[1]).toBe('Reconnecting…');
  });
});
