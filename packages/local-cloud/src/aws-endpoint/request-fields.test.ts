import { describe, expect, it } from 'vitest';
import { AwsError } from './aws-error.ts';
import { requestFields } from './request-fields.ts';

const fields = requestFields({
  invalid: (message) => new AwsError('InvalidParameterValue', message),
  missing: (name) => new AwsError('MissingParameter', `The parameter ${name} is required.`),
});

/** The AWS error a reader throws, as `code: message`. */
function failure(read: () => unknown): string {
  try {
    read();
  } catch (err) {
    if (err instanceof AwsError) return `${err.code}: ${err.message}`;
    throw err;
  }
  throw new Error('expected the reader to throw');
}

describe('requestFields', () => {
  it('reads members of the right type and answers undefined for absent or null ones', () => {
    const input = { Name: 'n', Count: 3, On: true, Tags: ['a'], Map: { k: 'v' }, At: 1_700_000_000.5, Nothing: null };
    expect([fields.string(input, 'Name'), fields.requiredNumber(input, 'Count'), fields.boolean(input, 'On')]).toEqual(['n', 3, true]);
    expect([fields.stringList(input, 'Tags'), fields.object(input, 'Map'), fields.timestampSeconds(input, 'At')]).toEqual([
      ['a'],
      { k: 'v' },
      1_700_000_000_500,
    ]);
    expect([fields.string(input, 'Nothing'), fields.number(input, 'Absent'), fields.list(input, 'Absent')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("answers the service's own errors: missing for absent or empty required members, invalid for wrong types", () => {
    expect(failure(() => fields.requiredString({ Name: '' }, 'Name'))).toBe('MissingParameter: The parameter Name is required.');
    expect(failure(() => fields.requiredNumber({}, 'Count'))).toBe('MissingParameter: The parameter Count is required.');
    expect(failure(() => fields.requiredString({ Name: 5 }, 'Name'))).toBe('InvalidParameterValue: Name must be a string; received number');
    expect(failure(() => fields.number({ Count: '3' }, 'Count'))).toBe('InvalidParameterValue: Count must be a number; received "3"');
    expect(failure(() => fields.object({ Map: [] }, 'Map'))).toBe('InvalidParameterValue: Map must be a structure; received object');
    expect(failure(() => fields.stringList({ Tags: ['a', 1] }, 'Tags'))).toBe('InvalidParameterValue: Tags.member.2 must be a string');
    expect(failure(() => fields.structures([{}, 'x'], 'Data'))).toBe('InvalidParameterValue: Data.member.2 must be a structure');
    expect(failure(() => fields.timestampSeconds({ At: 'soon' }, 'At'))).toBe(
      'InvalidParameterValue: At must be a timestamp; received "soon"',
    );
  });
});
