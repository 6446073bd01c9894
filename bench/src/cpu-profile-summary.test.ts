import { describe, expect, it } from 'vitest';
import { placeOf, summarizeProfile } from './cpu-profile-summary.ts';

describe('cpu profile summary', () => {
  it.each([
    ['file:///repo/node_modules/aedes/lib/client.js', 'handle', 'aedes'],
    ['file:///repo/node_modules/@aws-sdk/client-sqs/dist-cjs/index.js', 'send', '@aws-sdk/client-sqs'],
    ['file:///repo/packages/local-cloud/src/sqs/sqs-store.ts', 'commit', 'packages/local-cloud/sqs'],
    ['file:///repo/services/data/src/telemetry-store.ts', 'write', 'services/data'],
    ['node:internal/tls/wrap', 'onread', 'node internals'],
    ['', '(garbage collector)', '(garbage collector)'],
  ])('%s is counted under %s', (url, functionName, place) => {
    expect(placeOf(url, functionName)).toBe(place);
  });

  it('sums self time by place, leaves idle out of busy time, largest first', () => {
    const frame = (id: number, url: string, functionName = 'f') => ({ id, callFrame: { url, functionName } });
    const summary = summarizeProfile({
      nodes: [frame(1, '', '(idle)'), frame(2, 'file:///r/node_modules/aedes/x.js'), frame(3, 'node:net')],
      startTime: 0,
      endTime: 10_000,
      samples: [1, 2, 3, 2],
      timeDeltas: [4000, 3000, 1000, 2000],
    });
    expect(summary).toEqual({
      wallMs: 10,
      busyMs: 6,
      places: [
        { place: 'aedes', ms: 5 },
        { place: 'node internals', ms: 1 },
      ],
    });
  });
});
