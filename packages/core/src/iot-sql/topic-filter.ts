/**
 * MQTT topic filter matching, as the FROM clause of a rule uses it
 * (MQTT 3.1.1 §4.7: `+` matches one level, `#` the remaining levels including none).
 */

/** True when `topic` matches `filter`. */
export function topicMatches(filter: string, topic: string): boolean {
  // [MQTT-4.7.2-1] A filter starting with a wildcard does not match topics beginning with `$`.
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const level = f[i]!;
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Checks a filter's syntax; returns a problem description, or undefined when it is valid. */
export function topicFilterProblem(filter: string): string | undefined {
  if (filter.length === 0) return 'the topic filter is empty';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return '"#" must be a whole level and the last one';
    if (level.includes('+') && level !== '+') return '"+" must be a whole level';
  }
  return undefined;
}

/**
 * The topic as IoT SQL's `topic()` sees it: Basic Ingest's `$aws/rules/<rule-name>/` prefix removed
 * (https://docs.aws.amazon.com/iot/latest/developerguide/iot-basic-ingest.html).
 */
export function effectiveTopic(topic: string): string {
  const m = /^\$aws\/rules\/[^/]+\//.exec(topic);
  return m === null ? topic : topic.slice(m[0].length);
}
