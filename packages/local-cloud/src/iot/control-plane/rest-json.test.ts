import { describe, expect, it } from 'vitest';
import type { AwsRequest } from '../../aws-endpoint/index.ts';
import { restJsonHandler } from './rest-json.ts';

const request = (method: string, path: string): AwsRequest => ({
  method,
  path,
  rawUrl: path,
  query: new URLSearchParams(),
  headers: {},
  body: Buffer.alloc(0),
  service: 'iot',
});

/** A durability wait the test ends: resolves with `settle()`, rejects with `fail(err)`. */
function heldDurability() {
  const waits: { resolve: () => void; reject: (err: Error) => void }[] = [];
  return {
    durable: () => new Promise<void>((resolve, reject) => waits.push({ resolve, reject })),
    settle: () => waits.shift()?.resolve(),
    fail: (err: Error) => waits.shift()?.reject(err),
  };
}

describe('the REST-JSON handler with a durability wait (the IoT registry journal)', () => {
  const routes = [{ method: 'POST', path: '/things/{thingName}', operation: () => ({ thingName: 'a' }) }];

  it('answers an operation only once what it changed is durable', async () => {
    const held = heldDurability();
    let answered = false;
    const answer = restJsonHandler({ service: 'iot', routes, durable: held.durable })(request('POST', '/things/a')).then((response) => {
      answered = true;
      return response;
    });
    await new Promise((r) => setImmediate(r));
    expect(answered).toBe(false);
    held.settle();
    expect(await answer).toMatchObject({ status: 200, body: JSON.stringify({ thingName: 'a' }) });
  });

  it('answers 500 InternalFailure when the change could not be made durable, never the success', async () => {
    const held = heldDurability();
    const answer = restJsonHandler({ service: 'iot', routes, durable: held.durable })(request('POST', '/things/a'));
    await new Promise((r) => setImmediate(r));
    held.fail(new Error('EIO: i/o error, fdatasync'));
    const response = await answer;
    expect(response.status).toBe(500);
    expect(response.headers?.['x-amzn-errortype']).toBe('InternalFailure');
  });
});
