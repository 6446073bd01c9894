/** The shared rule definitions (`../rules.ts`) compile and produce the outputs their consumers expect. */
import { describe, expect, it } from 'vitest';
import { highTemperatureRule, lowBatteryRule, presenceRule, rules, telemetryIngestRule } from '../rules.ts';
import { topics } from '../topics.ts';
import { compileRule } from './compile-rule.ts';
import { compileTemplate } from './substitute-template.ts';
import { base64Encode } from './base64.ts';
import type { IotMessage } from './message.ts';

const at = Date.UTC(2026, 0, 2, 3, 4, 5);
const message = (topic: string, payload: unknown, clientId = 'dev-1'): IotMessage => ({
  topic,
  payload: new TextEncoder().encode(typeof payload === 'string' ? payload : JSON.stringify(payload)),
  clientId,
  timestamp: at,
});
const options = { newUuid: () => '11111111-2222-3333-4444-555555555555' };

describe('shared IoT rules', () => {
  it('all compile, with their actions and error actions templates', () => {
    for (const rule of rules) {
      expect(() => compileRule(rule.sql)).not.toThrow();
      for (const action of [...rule.actions, rule.errorAction]) {
        for (const field of Object.values(action)) if (typeof field === 'string') expect(() => compileTemplate(field)).not.toThrow();
      }
    }
  });

  it('telemetry ingest forwards the untouched payload in base64 with device id, client id, time and a message id', () => {
    const raw = '{"ts":1,"seq":2,"temperature":21.5}';
    const result = compileRule(telemetryIngestRule.sql).evaluate(message(topics.telemetry('dev-1'), raw), options);
    expect(result).toEqual({
      matched: true,
      output: {
        kind: 'telemetry',
        payload: base64Encode(new TextEncoder().encode(raw)),
        deviceId: 'dev-1',
        clientId: 'dev-1',
        receivedAt: at,
        messageId: '11111111-2222-3333-4444-555555555555',
      },
    });
  });

  it('telemetry ingest also forwards a payload that is not JSON, so the Data Service can dead-letter it', () => {
    const bytes = new Uint8Array([1, 2, 3, 250]);
    const result = compileRule(telemetryIngestRule.sql).evaluate({ ...message(topics.telemetry('dev-2'), ''), payload: bytes }, options);
    expect(result.matched && (result.output as { payload: string }).payload).toBe(base64Encode(bytes));
  });

  it('telemetry ingest ignores other topics', () => {
    expect(compileRule(telemetryIngestRule.sql).matchesTopic('fleet/devices/dev-1/status')).toBe(false);
    expect(compileRule(telemetryIngestRule.sql).matchesTopic('fleet/devices/dev-1/telemetry/extra')).toBe(false);
  });

  it('presence forwards the lifecycle event fields, without the ones the event lacks', () => {
    const event = {
      clientId: 'dev-1',
      timestamp: 1_700_000_000_000,
      eventType: 'connected',
      sessionIdentifier: 's',
      principalIdentifier: 'p',
    };
    const result = compileRule(presenceRule.sql).evaluate(message(topics.presenceConnected('dev-1'), event, 'iot'), options);
    expect(result).toEqual({
      matched: true,
      output: { kind: 'presence', eventType: 'connected', clientId: 'dev-1', timestamp: 1_700_000_000_000 },
    });
    const gone = { ...event, eventType: 'disconnected', disconnectReason: 'CLIENT_INITIATED_DISCONNECT' };
    const result2 = compileRule(presenceRule.sql).evaluate(message(topics.presenceDisconnected('dev-1'), gone, 'iot'), options);
    expect(result2.matched && result2.output).toMatchObject({ eventType: 'disconnected', disconnectReason: 'CLIENT_INITIATED_DISCONNECT' });
  });

  it('high temperature fires only above 80', () => {
    const rule = compileRule(highTemperatureRule.sql);
    expect(rule.evaluate(message(topics.telemetry('dev-1'), { temperature: 85.5 }))).toEqual({
      matched: true,
      output: { deviceId: 'dev-1', temperature: 85.5, at },
    });
    expect(rule.evaluate(message(topics.telemetry('dev-1'), { temperature: 80 }))).toEqual({ matched: false });
    expect(rule.evaluate(message(topics.telemetry('dev-1'), { battery: 5 }))).toEqual({ matched: false });
    expect(rule.evaluate(message(topics.telemetry('dev-1'), 'not json'))).toEqual({ matched: false });
  });

  it('low battery fires only below 10', () => {
    const rule = compileRule(lowBatteryRule.sql);
    expect(rule.evaluate(message(topics.telemetry('dev-3'), { battery: 9 }))).toEqual({
      matched: true,
      output: { deviceId: 'dev-3', battery: 9, at },
    });
    expect(rule.evaluate(message(topics.telemetry('dev-3'), { battery: 10 }))).toEqual({ matched: false });
  });

  it('dead-letter keys are hour-partitioned under the rule name', () => {
    const key = compileTemplate((telemetryIngestRule.errorAction as { key: string }).key).render(message('x', {}), options);
    expect(key).toBe('dead-letters/rules/fleet_telemetry_ingest/2026/01/02/03/11111111-2222-3333-4444-555555555555.json');
  });
});
