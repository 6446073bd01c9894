import { describe, expect, it } from 'vitest';
import { medianRun, mosquittoConfig } from './mosquitto-peer.ts';

describe('mosquitto peer helpers', () => {
  it('configures a loopback-only anonymous listener without persistence or queue limits', () => {
    const config = mosquittoConfig(18_883).split('\n');
    expect(config).toContain('listener 18883 127.0.0.1');
    expect(config).toContain('allow_anonymous true');
    expect(config).toContain('persistence false');
    expect(config).toContain('max_queued_messages 0');
    expect(config.join('\n')).not.toContain('websockets');
  });

  it('adds a WebSocket listener on loopback when asked, the anonymous and limit settings staying global', () => {
    const config = mosquittoConfig(18_883, 18_884);
    expect(config).toContain('listener 18883 127.0.0.1\nlistener 18884 127.0.0.1\nprotocol websockets\nallow_anonymous true');
    expect(config).not.toContain('per_listener_settings');
  });

  it('picks the median run by rate, ranking incomplete runs lowest', () => {
    const run = (rate: number, complete = true) => ({ publishToSubscribePerSecond: rate, complete });
    expect(medianRun([run(9000), run(20_000), run(12_000)]).publishToSubscribePerSecond).toBe(12_000);
    expect(medianRun([run(50_000, false), run(20_000), run(12_000)]).publishToSubscribePerSecond).toBe(12_000);
    expect(medianRun([run(7)]).publishToSubscribePerSecond).toBe(7);
    expect(() => medianRun([])).toThrow(/at least one run/);
  });
});
