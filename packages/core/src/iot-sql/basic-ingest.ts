/**
 * Basic Ingest (https://docs.aws.amazon.com/iot/latest/developerguide/iot-basic-ingest.html): a device
 * publishes to `$aws/rules/<ruleName>/<topic>` to reach one rule directly, without the message broker's
 * fan-out; the rule (its FROM filter, `topic()`) sees the topic without the `$aws/rules/<ruleName>/` prefix.
 */

/** [AWS CreateTopicRule] ruleName pattern `^[a-zA-Z0-9_]+$`. */
const ruleNamePattern = /^[a-zA-Z0-9_]+$/;
const prefix = '$aws/rules/';

/**
 * The rule a Basic Ingest topic addresses and the topic its rule sees; undefined when `topic` is not a
 * Basic Ingest topic (another topic, an invalid rule name, or nothing after the rule name).
 */
export function parseBasicIngestTopic(topic: string): { readonly ruleName: string; readonly topic: string } | undefined {
  if (!topic.startsWith(prefix)) return undefined;
  const rest = topic.slice(prefix.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return undefined;
  const ruleName = rest.slice(0, slash);
  const ruleTopic = rest.slice(slash + 1);
  if (!ruleNamePattern.test(ruleName) || ruleTopic.length === 0) return undefined;
  return { ruleName, topic: ruleTopic };
}
