/**
 * Contract tests of the Device Shadow REST API through `@aws-sdk/client-iot-data-plane`, against the
 * IoT stand-in behind the local AWS endpoint: the operations, AWS's rejections as the SDK's
 * exceptions, the MQTT messages an HTTP update publishes, and persistence across a restart.
 */
import {
  ConflictException,
  DeleteThingShadowCommand,
  GetThingShadowCommand,
  InvalidRequestException,
  ListNamedShadowsForThingCommand,
  PublishCommand,
  RequestEntityTooLargeException,
  ResourceNotFoundException,
  UpdateThingShadowCommand,
} from '@aws-sdk/client-iot-data-plane';
import { shadowTopics, type ShadowDocument, type ShadowUpdateAccepted } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from '../../testing/iot-fixture.ts';

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(async () => {
  await fixture.close();
});

const json = (payload: Uint8Array | undefined): unknown => JSON.parse(Buffer.from(payload ?? new Uint8Array()).toString('utf8'));
const update = async (thingName: string, document: unknown, shadowName?: string) =>
  json(
    (await fixture.data.send(new UpdateThingShadowCommand({ thingName, shadowName, payload: Buffer.from(JSON.stringify(document)) })))
      .payload,
  ) as ShadowUpdateAccepted;
const get = async (thingName: string, shadowName?: string) =>
  json((await fixture.data.send(new GetThingShadowCommand({ thingName, shadowName }))).payload) as ShadowDocument;
const published = (topic: string) =>
  fixture.messages.filter((m) => m.topic === topic).map((m) => JSON.parse(m.payload.toString()) as unknown);

describe('UpdateThingShadow and GetThingShadow', () => {
  it('creates a classic shadow, answers the accepted document, and GetThingShadow returns state, delta and metadata', async () => {
    const accepted = await update('sdk-1', { state: { desired: { color: 'RED' }, reported: { color: 'GREEN' } }, clientToken: 'tok' });
    expect(accepted).toMatchObject({ state: { desired: { color: 'RED' }, reported: { color: 'GREEN' } }, version: 1, clientToken: 'tok' });
    expect(accepted.metadata.desired).toEqual({ color: { timestamp: accepted.timestamp } });
    const document = await get('sdk-1');
    expect(document).toMatchObject({
      state: { desired: { color: 'RED' }, reported: { color: 'GREEN' }, delta: { color: 'RED' } },
      version: 1,
    });
  });

  it('publishes /update/accepted, /update/delta and /update/documents for an update made over HTTP', async () => {
    await update('sdk-2', { state: { reported: { fan: 1 } } });
    await update('sdk-2', { state: { desired: { fan: 3 } }, clientToken: 'http' });
    const topics = shadowTopics('sdk-2');
    expect(published(topics.updateAccepted)).toHaveLength(2);
    expect(published(topics.updateDelta)).toEqual([expect.objectContaining({ state: { fan: 3 }, version: 2, clientToken: 'http' })]);
    expect(published(topics.updateDocuments).at(-1)).toMatchObject({
      previous: { state: { reported: { fan: 1 } }, version: 1 },
      current: { state: { desired: { fan: 3 }, reported: { fan: 1 } }, version: 2 },
    });
  });

  it('keeps named shadows apart from the classic one and lists them page by page', async () => {
    await update('sdk-3', { state: { reported: { classic: true } } });
    for (const name of ['gamma', 'alpha', 'beta']) await update('sdk-3', { state: { reported: { name } } }, name);
    expect((await get('sdk-3', 'beta')).state.reported).toEqual({ name: 'beta' });
    expect((await get('sdk-3')).state.reported).toEqual({ classic: true });
    const first = await fixture.data.send(new ListNamedShadowsForThingCommand({ thingName: 'sdk-3', pageSize: 2 }));
    expect(first.results).toEqual(['alpha', 'beta']);
    const second = await fixture.data.send(
      new ListNamedShadowsForThingCommand({ thingName: 'sdk-3', pageSize: 2, nextToken: first.nextToken }),
    );
    expect(second.results).toEqual(['gamma']);
    expect(second.nextToken).toBeUndefined();
    expect(published(shadowTopics('sdk-3', 'beta').updateAccepted)).toHaveLength(1);
  });
});

describe('Publish to a shadow request topic', () => {
  it('is a shadow request, answered on the response topics, as on AWS', async () => {
    const topics = shadowTopics('sdk-pub');
    const payload = Buffer.from('{"state":{"reported":{"via":"publish"}},"clientToken":"p1"}');
    await fixture.data.send(new PublishCommand({ topic: topics.update, qos: 1, payload }));
    expect(published(topics.updateAccepted)).toEqual([expect.objectContaining({ version: 1, clientToken: 'p1' })]);
    expect((await get('sdk-pub')).state.reported).toEqual({ via: 'publish' });
    await fixture.data.send(new PublishCommand({ topic: topics.update, qos: 1, payload: Buffer.from('{"state":1}') }));
    expect(published(topics.updateRejected)).toEqual([expect.objectContaining({ code: 400, message: 'State node must be an object' })]);
  });
});

describe('concurrency', () => {
  it('gives concurrent updates of one shadow distinct consecutive versions, and one of two racing on the same version a conflict', async () => {
    const versions = await Promise.all(Array.from({ length: 20 }, (_, i) => update('sdk-race', { state: { reported: { [`k${i}`]: i } } })));
    expect(versions.map((a) => a.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const racing = await Promise.allSettled([1, 2].map((n) => update('sdk-race', { state: { desired: { n } }, version: 20 })));
    expect(racing.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });
});

describe('rejections', () => {
  it('rejects a stale version with ConflictException "Version conflict"', async () => {
    await update('sdk-4', { state: { desired: { a: 1 } } });
    await update('sdk-4', { state: { desired: { a: 2 } }, version: 1 });
    const stale = fixture.data.send(
      new UpdateThingShadowCommand({
        thingName: 'sdk-4',
        payload: Buffer.from(JSON.stringify({ state: { desired: { a: 3 } }, version: 1 })),
      }),
    );
    await expect(stale).rejects.toBeInstanceOf(ConflictException);
    await expect(stale).rejects.toMatchObject({ message: 'Version conflict', $metadata: { httpStatusCode: 409 } });
  });

  it('answers ResourceNotFoundException for a shadow that does not exist', async () => {
    await expect(fixture.data.send(new GetThingShadowCommand({ thingName: 'nobody' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: "No shadow exists with name: 'nobody'",
    });
    await update('sdk-5', { state: { reported: { a: 1 } } });
    await expect(fixture.data.send(new GetThingShadowCommand({ thingName: 'sdk-5', shadowName: 'missing' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('answers RequestEntityTooLargeException for a state over 8 KB, and InvalidRequestException for too much nesting', async () => {
    const big = { state: { reported: { blob: 'x'.repeat(8200) } } };
    await expect(update('sdk-6', big)).rejects.toBeInstanceOf(RequestEntityTooLargeException);
    const deep = { state: { desired: { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } } } };
    await expect(update('sdk-6', deep)).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(update('sdk-6', deep)).rejects.toMatchObject({ message: 'JSON contains too many levels of nesting; maximum is 6' });
    await expect(update('sdk-6', { clientToken: 'x' })).rejects.toMatchObject({ message: 'Missing required node: state' });
    // No MQTT error message for a REST request.
    expect(published(shadowTopics('sdk-6').updateRejected)).toEqual([]);
  });
});

describe('DeleteThingShadow', () => {
  it('deletes a shadow, publishes /delete/accepted, and a new shadow continues its version', async () => {
    await update('sdk-7', { state: { reported: { a: 1 } } });
    await update('sdk-7', { state: { reported: { a: 2 } } });
    const deleted = json((await fixture.data.send(new DeleteThingShadowCommand({ thingName: 'sdk-7' }))).payload);
    expect(deleted).toMatchObject({ version: 2 });
    expect(published(shadowTopics('sdk-7').deleteAccepted)).toEqual([expect.objectContaining({ version: 2 })]);
    await expect(fixture.data.send(new GetThingShadowCommand({ thingName: 'sdk-7' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(fixture.data.send(new DeleteThingShadowCommand({ thingName: 'sdk-7' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect((await update('sdk-7', { state: { reported: { a: 3 } } })).version).toBe(3);
  });

  it('deletes a named shadow only, and ListNamedShadowsForThing stops listing it', async () => {
    await update('sdk-8', { state: { reported: { a: 1 } } }, 'one');
    await update('sdk-8', { state: { reported: { a: 1 } } }, 'two');
    await fixture.data.send(new DeleteThingShadowCommand({ thingName: 'sdk-8', shadowName: 'one' }));
    expect((await fixture.data.send(new ListNamedShadowsForThingCommand({ thingName: 'sdk-8' }))).results).toEqual(['two']);
  });
});

describe('persistence', () => {
  it('keeps shadows, versions and deletions across a restart of the stand-in', async () => {
    await update('sdk-9', { state: { desired: { mode: 'eco' } } });
    await update('sdk-9', { state: { reported: { mode: 'eco' } } }, 'cfg');
    await update('sdk-9', { state: { reported: { gone: true } } }, 'old');
    await fixture.data.send(new DeleteThingShadowCommand({ thingName: 'sdk-9', shadowName: 'old' }));
    fixture = await fixture.restart();
    expect(await get('sdk-9')).toMatchObject({ state: { desired: { mode: 'eco' }, delta: { mode: 'eco' } }, version: 1 });
    expect((await get('sdk-9', 'cfg')).state.reported).toEqual({ mode: 'eco' });
    expect((await fixture.data.send(new ListNamedShadowsForThingCommand({ thingName: 'sdk-9' }))).results).toEqual(['cfg']);
    expect((await update('sdk-9', { state: { reported: { x: 1 } } }, 'old')).version).toBe(2);
  });
});
