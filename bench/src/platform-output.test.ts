import { describe, expect, it } from 'vitest';
import { dropsDuring, firstErrorLine, rulesEngineDrops } from './platform-output.ts';

describe('reading the launcher output', () => {
  it('takes the highest running drop count of the rules engine warnings', () => {
    const output = [
      '{"level":40,"component":"rules","topic":"fleet/devices/a/telemetry","dropped":1,"maxInFlight":256,"msg":"rules engine saturated; message dropped"}',
      '{"level":40,"component":"other","dropped":99,"msg":"something else"}',
      '{"level":40,"component":"rules","topic":"fleet/devices/b/telemetry","dropped":7,"maxInFlight":256,"msg":"rules engine saturated; message dropped"}',
    ].join('\n');
    expect(rulesEngineDrops(output)).toBe(7);
    expect(rulesEngineDrops('{"msg":"Fleet is up"}')).toBeUndefined();
  });

  it('shows the error line of a failed start, past the AWS SDK notice', () => {
    const output = [
      'the platform exited with 1 while starting:',
      '(node:1) Warning: NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)',
      'will require node >=22.',
      'ReferenceError: startTransports is not defined',
      '    at createIotBroker (iot-broker.ts:318:22)',
    ].join('\n');
    expect(firstErrorLine(output)).toBe('ReferenceError: startTransports is not defined');
    expect(firstErrorLine('did not become healthy\nlast words\n')).toBe('last words');
  });
});

describe('dropsDuring', () => {
  it('counts the drops between two readings of the running count', () => {
    expect(dropsDuring(10, 25)).toBe(15);
    expect(dropsDuring(undefined, 7)).toBe(7);
    expect(dropsDuring(undefined, undefined)).toBeUndefined();
  });
});
