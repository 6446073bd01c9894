import { describe, expect, it } from 'vitest';
import { compileRule, IotSqlError } from './iot-sql/index.ts';
import {
  channelEndpointProblem,
  channelIdOf,
  decodeChannelId,
  minSeverityOfFilterPolicy,
  pendingChannelId,
  severityFilterPolicy,
} from './notification-contract.ts';
import { awsRuleName, isPlatformRuleName, sqlErrorMessage, sqlErrorPosition, testPayloadBytes, userRuleName } from './rule-contract.ts';
import { rules } from './rules.ts';

describe('rule contract', () => {
  it('stores user rules under user_ and never takes a platform rule for one', () => {
    expect(awsRuleName('hot')).toBe('user_hot');
    expect(userRuleName('user_hot')).toBe('hot');
    for (const rule of rules) {
      expect(isPlatformRuleName(rule.name)).toBe(true);
      expect(userRuleName(rule.name)).toBeUndefined();
    }
  });

  it('writes a SQL error message the web app reads the position back from', () => {
    let error: unknown;
    try {
      compileRule("SELECT a FROM 'x' WHERE");
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(IotSqlError);
    const message = sqlErrorMessage(error as IotSqlError);
    expect(message).not.toMatch(/ in "SELECT/);
    expect(sqlErrorPosition(message)).toBe((error as IotSqlError).position);
    expect(sqlErrorPosition('some other message')).toBeUndefined();
  });

  it('sends a string payload as it is and any other value as JSON', () => {
    expect(new TextDecoder().decode(testPayloadBytes('a,b'))).toBe('a,b');
    expect(new TextDecoder().decode(testPayloadBytes({ t: 1 }))).toBe('{"t":1}');
  });
});

describe('notification contract', () => {
  it('filters on the minimum severity and every more urgent one, and reads it back', () => {
    expect(severityFilterPolicy('minor')).toEqual({ severity: ['critical', 'major', 'minor'] });
    expect(minSeverityOfFilterPolicy(JSON.stringify(severityFilterPolicy('minor')))).toBe('minor');
    expect(minSeverityOfFilterPolicy(JSON.stringify({ severity: ['minor'] }))).toBeUndefined();
    expect(minSeverityOfFilterPolicy('not json')).toBeUndefined();
  });

  it('makes URL-safe channel ids of subscription ARNs and tells pending ones apart', () => {
    const arn = 'arn:aws:sns:us-east-1:000000000000:fleet-alarm-notifications:1f/+=';
    expect(channelIdOf(arn)).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeChannelId(channelIdOf(arn))).toEqual({ kind: 'subscription', arn });
    expect(decodeChannelId(pendingChannelId('email', 'a@example.com'))).toEqual({ kind: 'pending' });
    expect(decodeChannelId('bm90LWFuLWFybg')).toBeUndefined();
  });

  it('checks that an endpoint suits its protocol', () => {
    expect(channelEndpointProblem('email', 'ops@example.com')).toBeUndefined();
    expect(channelEndpointProblem('https', 'http://x.example')).toBe('expected a https:// URL');
    expect(channelEndpointProblem('http', 'not a url')).toBe('expected a http:// URL');
  });
});
