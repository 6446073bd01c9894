/** Basic Ingest topics (https://docs.aws.amazon.com/iot/latest/developerguide/iot-basic-ingest.html). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBasicIngestTopic } from './basic-ingest.ts';
import { compileRule } from './compile-rule.ts';
import { jsonMessage } from './test-helpers.ts';

describe('parseBasicIngestTopic', () => {
  it('splits the documented example into the rule name and the topic the rule sees', () => {
    expect(parseBasicIngestTopic('$aws/rules/BuildingManager/Buildings/Building5/Floor2/Room201/Lights')).toEqual({
      ruleName: 'BuildingManager',
      topic: 'Buildings/Building5/Floor2/Room201/Lights',
    });
  });

  it.each([
    'Buildings/Building5', // not a Basic Ingest topic
    '$aws/things/t/shadow/update', // another reserved topic
    '$aws/rules/BuildingManager', // no topic after the rule name
    '$aws/rules/BuildingManager/', // an empty topic
    '$aws/rules//a/b', // no rule name
    '$aws/rules/my-rule/a', // "-" is outside ^[a-zA-Z0-9_]+$
    '$AWS/rules/R/a', // the prefix is case sensitive
  ])('%s is not a Basic Ingest topic', (topic) => {
    expect(parseBasicIngestTopic(topic)).toBeUndefined();
  });

  it('keeps the rest of the topic as is, slashes included', () => {
    expect(parseBasicIngestTopic('$aws/rules/r_1/a//b/')).toEqual({ ruleName: 'r_1', topic: 'a//b/' });
  });

  it('round-trips any valid rule name and non-empty topic', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-zA-Z0-9_]{1,20}$/), fc.string({ minLength: 1, maxLength: 30 }), (ruleName, topic) => {
        expect(parseBasicIngestTopic(`$aws/rules/${ruleName}/${topic}`)).toEqual({ ruleName, topic });
      }),
    );
  });
});

describe('rules without FROM', () => {
  // [AWS SQL reference] FROM is "Optional for rules that are only activated using the Basic Ingest feature".
  const message = (topic: string) => jsonMessage({ temperature: 30 }, topic);

  it('match only Basic Ingest messages addressed to the rule, and topic() has no prefix', () => {
    const rule = compileRule('SELECT temperature, topic() AS t WHERE temperature > 20', { ruleName: 'BuildingManager' });
    expect(rule.topicFilter).toBe('');
    expect(rule.matchesTopic('$aws/rules/BuildingManager/Buildings/Building5')).toBe(true);
    expect(rule.matchesTopic('$aws/rules/Other/Buildings/Building5')).toBe(false);
    expect(rule.matchesTopic('Buildings/Building5')).toBe(false);
    expect(rule.evaluate(message('$aws/rules/BuildingManager/Buildings/Building5'))).toEqual({
      matched: true,
      output: { temperature: 30, t: 'Buildings/Building5' },
    });
  });

  it('match nothing when the rule name is not known', () => {
    expect(compileRule('SELECT *').matchesTopic('$aws/rules/R/a')).toBe(false);
  });
});
