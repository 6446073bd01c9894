import { PutCommand } from '@aws-sdk/lib-dynamodb';
import Fastify from 'fastify';
import { answerChecker, deviceIdPattern, DevicePageSchema, devicesTable } from '@fleet/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { opensslCsr } from '@fleet/local-cloud/testing';
import { awsError } from '../test-support/fake-aws-client.ts';
import { asCaller } from '../test-support/as-caller.ts';
import { issuedKeyFacts } from '../test-support/issued-key.ts';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());
beforeEach(() => t.forgetCalls());

async function register(body: unknown, groups: string[] = ['operator'], app: TestApp = t) {
  return asCaller(app.app, await app.bearer({ groups })).post('/api/devices', body as object);
}

describe('POST /api/devices', () => {
  it('creates the thing, an active certificate signed from a CSR made for the device, the device policy, the attachment and the registry item', async () => {
    const res = await register({ name: 'Greenhouse sensor', deviceId: 'greenhouse-1' });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.device).toMatchObject({
      deviceId: 'greenhouse-1',
      name: 'Greenhouse sensor',
      ownerId: 'sub-alice',
      ownerName: 'alice',
      status: 'active',
      online: false,
    });
    expect(new Date(body.device.createdAt).toISOString()).toBe(body.device.createdAt);
    expect(t.iot.names()).toEqual(['CreateThing', 'CreateCertificateFromCsr', 'AttachPolicy', 'AttachThingPrincipal']);
    const certArn = body.device.certificateArn as string;
    expect(t.iot.calls[0]?.input).toEqual({
      thingName: 'greenhouse-1',
      attributePayload: { attributes: { owner: 'sub-alice', name: 'Greenhouse_sensor' } },
    });
    expect(t.iot.calls[1]?.input).toEqual({
      certificateSigningRequest: expect.stringContaining('BEGIN CERTIFICATE REQUEST'),
      setAsActive: true,
    });
    // The fake IoT signs with a real CA: the certificate names the device and holds the answered key's public half.
    expect(issuedKeyFacts(body.credentials.certificatePem, body.credentials.privateKey)).toEqual({
      commonName: 'greenhouse-1',
      keyKind: 'ec/prime256v1',
      keyMatchesCertificate: true,
    });
    expect(t.iotState.policyAttachments.has(`fleet-device|${certArn}`)).toBe(true);
    expect(t.iotState.thingPrincipals.has(`greenhouse-1|${certArn}`)).toBe(true);
  });

  it('answers the private key once with the endpoint and ready-to-paste mosquitto_pub and curl commands (the certificate is named after the device)', async () => {
    const res = await register({ name: 'Boiler', deviceId: 'boiler-1' });
    const { credentials } = res.json();
    expect(credentials).toMatchObject({
      caUrl: 'https://www.amazontrust.com/repository/AmazonRootCA1.pem',
      endpoint: 'abc123-ats.iot.us-east-1.amazonaws.com',
      port: 8883,
      httpsPort: 8443,
      topic: 'fleet/devices/boiler-1/telemetry',
    });
    expect(credentials.keySource).toBe('generated');
    expect(credentials.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(credentials.certificatePem).toContain('BEGIN CERTIFICATE');
    expect(credentials.mosquittoPub).toBe(
      'mosquitto_pub --cafile root-ca.pem --cert boiler-1.cert.pem --key boiler-1.private.key ' +
        '-h abc123-ats.iot.us-east-1.amazonaws.com -p 8883 -i boiler-1 -q 1 -t fleet/devices/boiler-1/telemetry ' +
        `-m '{"ts":'$(date +%s000)',"seq":1,"temperature":21.5}'`,
    );
    // HTTPS publish needs a certificate whose common name is the device id (device-credentials.test.ts): the API's are.
    expect(credentials.curlPublish).toBe(
      'curl --cacert root-ca.pem --cert boiler-1.cert.pem --key boiler-1.private.key -X POST ' +
        `'https://abc123-ats.iot.us-east-1.amazonaws.com:8443/topics/fleet/devices/boiler-1/telemetry?qos=1' ` +
        `-d '{"ts":'$(date +%s000)',"seq":1,"temperature":21.5}'`,
    );
    // The key is never stored: neither the registry item nor a later read carries it.
    const read = await asCaller(t.app, await t.bearer()).get('/api/devices/boiler-1');
    expect(read.body).not.toContain('PRIVATE KEY');
    // The endpoint comes from the deployment (IOT_ENDPOINT): the task role needs no iot:DescribeEndpoint.
    expect(t.iot.names()).not.toContain('DescribeEndpoint');
  });

  it("signs the device's CSR instead of generating keys: the answer carries no private key, and says so", async () => {
    const { csrPem: csr } = await opensslCsr('/CN=own-key-1', 'ec');
    const res = await register({ name: 'Own key', deviceId: 'own-key-1', certificateSigningRequest: csr });
    expect(res.statusCode).toBe(201);
    const { credentials } = res.json();
    expect(credentials.keySource).toBe('csr');
    expect(credentials).not.toHaveProperty('privateKey');
    expect(res.body).not.toContain('PRIVATE KEY');
    expect(t.iot.names()).toEqual(['CreateThing', 'CreateCertificateFromCsr', 'AttachPolicy', 'AttachThingPrincipal']);
    expect(t.iot.calls[1]?.input).toEqual({ certificateSigningRequest: csr, setAsActive: true });
    const generated = (await register({ name: 'Generated', deviceId: 'generated-1' })).json();
    expect(generated.credentials.keySource).toBe('generated');
    expect(issuedKeyFacts(generated.credentials.certificatePem, generated.credentials.privateKey).commonName).toBe('generated-1');
  });

  it('answers 400 InvalidCsr for a CSR AWS IoT refuses, leaving no thing behind; 400 ValidationError for text that is no PEM CSR', async () => {
    const refused = await register({
      name: 'Bad CSR',
      deviceId: 'bad-csr-1',
      certificateSigningRequest: '-----BEGIN CERTIFICATE REQUEST-----\nREFUSED\n-----END CERTIFICATE REQUEST-----',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().code).toBe('InvalidCsr');
    expect(t.iotState.things.has('bad-csr-1')).toBe(false);
    t.forgetCalls();
    const notPem = await register({ name: 'Not PEM', deviceId: 'bad-csr-2', certificateSigningRequest: 'hello' });
    expect(notPem.statusCode).toBe(400);
    expect(notPem.json().code).toBe('ValidationError');
    expect(t.iot.names()).not.toContain('CreateThing');
  });

  it('refuses a CSR naming another device (HTTPS publish trusts the common name), leaving nothing behind', async () => {
    const { csrPem } = await opensslCsr('/CN=someone-else', 'ec');
    const res = await register({ name: 'Impostor', deviceId: 'impostor-1', certificateSigningRequest: csrPem });
    expect([res.statusCode, res.json().code]).toEqual([400, 'InvalidCsr']);
    expect(res.json().message).toContain('CN=impostor-1');
    expect(t.iotState.things.has('impostor-1')).toBe(false);
    // The certificate AWS IoT signed is made INACTIVE and deleted again.
    expect(t.iot.names()).toEqual(
      expect.arrayContaining(['CreateCertificateFromCsr', 'UpdateCertificate', 'DeleteCertificate', 'DeleteThing']),
    );
  });

  it('generates a readable unique id when none is given', async () => {
    const a = (await register({ name: 'Cold Room #3' })).json();
    const b = (await register({ name: 'Cold Room #3' })).json();
    expect(a.device.deviceId).toMatch(/^cold-room-3-[a-z2-9]{6}$/);
    expect(a.device.deviceId).toMatch(deviceIdPattern);
    expect(b.device.deviceId).not.toBe(a.device.deviceId);
  });

  it('answers 409 for an id already registered, without touching IoT', async () => {
    await register({ name: 'Dup', deviceId: 'dup-1' });
    t.iot.calls.length = 0;
    const res = await register({ name: 'Dup again', deviceId: 'dup-1' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ code: 'DeviceExists', message: 'Device "dup-1" is already registered' });
    expect(t.iot.names()).toEqual([]);
  });

  it('answers 409 when a thing of that name exists outside the registry, and leaves it alone', async () => {
    t.iotState.things.add('foreign-thing');
    const res = await register({ name: 'Foreign', deviceId: 'foreign-thing' });
    expect(res.statusCode).toBe(409);
    expect(t.iot.names()).toEqual(['CreateThing']);
    expect(t.iotState.things.has('foreign-thing')).toBe(true);
  });

  it('rolls back the thing and the certificate when attaching the certificate fails', async () => {
    t.iot.on({ AttachThingPrincipal: () => Promise.reject(awsError('ThrottlingException')) });
    try {
      const res = await register({ name: 'Unlucky', deviceId: 'unlucky-1' });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ code: 'InternalError', message: 'Internal server error' });
    } finally {
      t.iot.on({ AttachThingPrincipal: (i) => void t.iotState.thingPrincipals.add(`${String(i['thingName'])}|${String(i['principal'])}`) });
    }
    expect(t.iot.names()).toEqual([
      'CreateThing',
      'CreateCertificateFromCsr',
      'AttachPolicy',
      'AttachThingPrincipal',
      'DetachPolicy',
      'UpdateCertificate',
      'DeleteCertificate',
      'DeleteThing',
    ]);
    expect(t.iotState.things.has('unlucky-1')).toBe(false);
    expect([...t.iotState.policyAttachments].some((p) => p.includes('unlucky'))).toBe(false);
    const read = await asCaller(t.app, await t.bearer()).get('/api/devices/unlucky-1');
    expect(read.statusCode).toBe(404);
  });

  it("answers 409 and keeps the winner's thing when a concurrent registration stores the same id first", async () => {
    const winner = {
      deviceId: 'raced-1',
      name: 'Raced',
      ownerId: 'sub-bob',
      ownerName: 'bob',
      createdAt: '2026-01-01T00:00:00.000Z',
      certificateArn: 'arn:winner',
      certificateId: 'winner',
      status: 'active',
    };
    t.iot.on({
      AttachThingPrincipal: async (i) => {
        t.iotState.thingPrincipals.add(`${String(i['thingName'])}|${String(i['principal'])}`);
        // The concurrent request writes its registry item while ours is still in IoT.
        await t.dynamo.doc.send(new PutCommand({ TableName: 'fleet-devices', Item: winner }));
      },
    });
    try {
      const res = await register({ name: 'Raced', deviceId: 'raced-1' });
      expect(res.statusCode).toBe(409);
    } finally {
      t.iot.on({ AttachThingPrincipal: (i) => void t.iotState.thingPrincipals.add(`${String(i['thingName'])}|${String(i['principal'])}`) });
    }
    const ours = t.iot.calls.find((c) => c.command === 'UpdateCertificate')?.input['certificateId'];
    expect(ours).toBeDefined();
    expect(t.iotState.certificates.has(String(ours))).toBe(false);
    expect(t.iotState.things.has('raced-1')).toBe(true);
    expect(t.iot.names()).not.toContain('DeleteThing');
  });

  it('answers 400 naming the field for a bad device id, an empty name or an unknown field', async () => {
    const badId = await register({ name: 'x', deviceId: 'has spaces/and#signs' });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().code).toBe('ValidationError');
    expect(badId.json().message).toContain('body/deviceId');
    const noName = await register({ deviceId: 'ok-id' });
    expect(noName.json()).toEqual({ code: 'ValidationError', message: 'body/name is required' });
    const emptyName = await register({ name: '' });
    expect(emptyName.json().message).toMatch(/^body\/name must NOT have fewer than 1 characters/);
    const extra = await register({ name: 'x', colour: 'red' });
    expect(extra.json()).toEqual({ code: 'ValidationError', message: "body must NOT have additional property 'colour'" });
    expect(t.iot.names()).toEqual([]);
  });

  it('answers 400 for attributes AWS IoT refuses or Fleet sets itself, without touching IoT', async () => {
    const cases: [unknown, RegExp][] = [
      [{ 'si te': 'x' }, /^body\/attributes must match pattern/],
      [{ site: 'ly on' }, /^body\/attributes\/site must match pattern/],
      [{ site: '' }, /^body\/attributes\/site must match pattern/],
      [{ site: 7 }, /^body\/attributes\/site must be string/],
      [Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`a${i}`, 'v'])), /^body\/attributes must NOT have more than 20 properties/],
      [{ owner: 'someone-else' }, /^body\/attributes\/owner is set by Fleet itself/],
    ];
    for (const [attributes, message] of cases) {
      const res = await register({ name: 'Attributed', deviceId: 'attributed-1', attributes });
      expect([res.statusCode, res.json().code], JSON.stringify(attributes)).toEqual([400, 'ValidationError']);
      expect(res.json().message).toMatch(message);
    }
    expect(t.iot.names()).toEqual([]);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/devices',
      headers: { authorization: await t.bearer({ groups: ['operator'] }), 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ code: 'MalformedRequest', message: 'The body is not valid JSON' });
  });

  it('answers 403 to a viewer, before any side effect', async () => {
    const res = await register({ name: 'Nope', deviceId: 'viewer-device' }, ['viewer']);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ code: 'Forbidden', message: 'Role "viewer" may not manage devices' });
    expect(t.iot.names()).toEqual([]);
  });

  it('refuses a user in no group, who is a viewer (anyone can sign up on a deployed stack)', async () => {
    const res = await register({ name: 'Default role', deviceId: 'default-role-1' }, []);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ code: 'Forbidden', message: 'Role "viewer" may not manage devices' });
    expect(t.iot.names()).toEqual([]);
  });
});

describe('GET /api/devices', () => {
  it("lists devices page by page, each joined with the Data Service's presence and latest values", async () => {
    const t2 = await startTestApp();
    try {
      for (const id of ['p-1', 'p-2', 'p-3']) expect((await register({ name: id, deviceId: id }, ['admin'], t2)).statusCode).toBe(201);
      t2.data!.setState({
        deviceId: 'p-2',
        online: true,
        lastSeenAt: '2026-01-02T00:00:00.000Z',
        latest: { ts: 1_732_440_000_000, seq: 7, values: { temperature: 21.5 }, receivedAt: 1_732_440_000_050 },
      });
      // An item written before presence moved to the Data Service: its old presence attributes are not the registry's.
      await t2.dynamo.doc.send(
        new PutCommand({
          TableName: devicesTable.id,
          Item: {
            deviceId: 'p-3',
            name: 'p-3',
            ownerId: 'o',
            ownerName: 'o',
            createdAt: '2026-01-01T00:00:00.000Z',
            certificateArn: 'a',
            certificateId: 'c',
            status: 'active',
            online: true,
            presenceAt: 5,
          },
        }),
      );
      const viewer = await t2.bearer({ groups: ['viewer'] });
      const seen = new Map<string, Record<string, unknown>>();
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await t2.app.inject({
          method: 'GET',
          url: '/api/devices',
          query: { limit: '2', ...(cursor ? { cursor } : {}) },
          headers: { authorization: viewer },
        });
        expect(res.statusCode).toBe(200);
        const body = res.json();
        expect(answerChecker(DevicePageSchema)(body)).toMatchObject({ ok: true });
        expect(body.items.length).toBeLessThanOrEqual(2);
        for (const item of body.items) seen.set(item.deviceId, item);
        cursor = body.nextCursor;
        pages++;
      } while (cursor && pages < 5);
      expect([...seen.keys()].sort()).toEqual(['p-1', 'p-2', 'p-3']);
      expect(pages).toBeGreaterThanOrEqual(2);
      expect(seen.get('p-2')).toMatchObject({
        name: 'p-2',
        online: true,
        lastSeenAt: '2026-01-02T00:00:00.000Z',
        latest: { ts: 1_732_440_000_000, seq: 7, values: { temperature: 21.5 }, receivedAt: 1_732_440_000_050 },
      });
      expect(seen.get('p-2')).not.toHaveProperty('presenceAt');
      expect(seen.get('p-1')).toMatchObject({ online: false });
      expect(seen.get('p-1')).not.toHaveProperty('latest');
      expect(seen.get('p-3')).toMatchObject({ online: false });
      expect(seen.get('p-3')).not.toHaveProperty('presenceAt');
    } finally {
      await t2.close();
    }
  });

  it('asks the Data Service once per page, for every device of it, with the caller’s token', async () => {
    const t2 = await startTestApp();
    try {
      const admin = await t2.bearer({ groups: ['admin'] });
      const ids = Array.from({ length: 30 }, (_, i) => `many-${String(i).padStart(2, '0')}`);
      for (const id of ids) await register({ name: id, deviceId: id }, ['admin'], t2);
      const before = t2.data!.requests.length;
      const res = await asCaller(t2.app, admin).get('/api/devices?limit=100');
      expect(res.json().items).toHaveLength(30);
      const calls = t2.data!.requests.slice(before);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.authorization).toBe(admin);
      expect(new URL(calls[0]!.url.split(' ')[1]!, 'http://data').searchParams.get('ids')?.split(',').sort()).toEqual(ids);
    } finally {
      await t2.close();
    }
  });

  it('answers 502 DataServiceUnavailable when the Data Service cannot give the state, never a device without it', async () => {
    const t2 = await startTestApp({ config: { dataServiceUrl: 'http://127.0.0.1:9' } });
    try {
      const admin = await t2.bearer({ groups: ['admin'] });
      await register({ name: 'x', deviceId: 'lonely' }, ['admin'], t2);
      for (const url of ['/api/devices', '/api/devices/lonely']) {
        const res = await asCaller(t2.app, admin).get(url);
        expect(res.statusCode, url).toBe(502);
        expect(res.json()).toEqual({ code: 'DataServiceUnavailable', message: 'The data service is unavailable, try again later' });
      }
    } finally {
      await t2.close();
    }
  });

  it('searches, filters by status and group, sorts and pages on the server, counting every match', async () => {
    const t2 = await startTestApp();
    try {
      const ids = ['boiler-1', 'boiler-2', 'cold-1', 'attic-1', 'boiler-3'];
      for (const id of ids) await register({ name: `Device ${id}`, deviceId: id }, ['admin'], t2);
      const now = Date.now();
      t2.data!.setState({ deviceId: 'boiler-2', online: true, latest: { ts: now, seq: 1, values: { t: 1 }, receivedAt: now - 1_000 } });
      t2.data!.setState({ deviceId: 'boiler-3', online: true, latest: { ts: now, seq: 1, values: { t: 1 }, receivedAt: now - 3_600_000 } });
      t2.data!.setState({ deviceId: 'cold-1', online: false, lastSeenAt: new Date(now - 60_000).toISOString() });
      t2.iotState.thingGroups.set('north', new Set(['cold-1', 'boiler-3']));
      const viewer = await t2.bearer({ groups: ['viewer'] });
      const list = async (query: string) => {
        const res = await asCaller(t2.app, viewer).get(`/api/devices?${query}`);
        expect(res.statusCode, query).toBe(200);
        expect(answerChecker(DevicePageSchema)(res.json())).toMatchObject({ ok: true });
        return res.json<{
          items: { deviceId: string; connectivity: string; lastActivityAt?: string }[];
          total: number;
          nextCursor?: string;
        }>();
      };
      const idsOf = (page: { items: { deviceId: string }[] }) => page.items.map((d) => d.deviceId);

      expect(idsOf(await list('q=BOILER&sort=name'))).toEqual(['boiler-1', 'boiler-2', 'boiler-3']);
      expect(idsOf(await list('status=online'))).toEqual(['boiler-2']);
      expect(idsOf(await list('status=silent'))).toEqual(['boiler-3']);
      expect(idsOf(await list('status=offline&sort=name&order=desc'))).toEqual(['cold-1', 'boiler-1', 'attic-1']);
      expect(idsOf(await list('group=north&sort=name'))).toEqual(['boiler-3', 'cold-1']);
      expect(idsOf(await list('group=no-such-group'))).toEqual([]);
      const byLastSeen = await list('sort=lastSeen&order=desc&limit=2');
      expect(idsOf(byLastSeen)).toEqual(['boiler-2', 'cold-1']);
      expect(byLastSeen.total).toBe(5);
      expect(byLastSeen.items[1]).toMatchObject({ connectivity: 'offline', lastActivityAt: new Date(now - 60_000).toISOString() });
      const next = await list(`sort=lastSeen&order=desc&limit=2&cursor=${byLastSeen.nextCursor!}`);
      expect(idsOf(next)).toEqual(['boiler-3', 'boiler-1']); // ties (never seen) by id, in the order asked

      const wrongSort = await asCaller(t2.app, viewer).get(`/api/devices?sort=name&cursor=${byLastSeen.nextCursor!}`);
      expect(wrongSort.statusCode).toBe(400);
      expect(wrongSort.json().message).toMatch(/^querystring\/cursor .* was issued for sort=lastSeen&order=desc, not sort=name&order=asc$/);
      const badStatus = await asCaller(t2.app, viewer).get('/api/devices?status=sleeping');
      expect(badStatus.statusCode).toBe(400);
      expect(badStatus.json().message).toContain('querystring/status');
      const unknown = await asCaller(t2.app, viewer).get('/api/devices?colour=red');
      expect(unknown.json()).toEqual({ code: 'ValidationError', message: "querystring must NOT have additional property 'colour'" });
    } finally {
      await t2.close();
    }
  });

  it('filters by thing attributes (exact value, presence, all of several) and searches their values, with the attributes in each item', async () => {
    const t2 = await startTestApp();
    try {
      const admin = ['admin'];
      expect((await register({ name: 'Pump 1', deviceId: 'pump-1', attributes: { site: 'lyon', floor: '2' } }, admin, t2)).statusCode).toBe(
        201,
      );
      await register({ name: 'Pump 2', deviceId: 'pump-2', attributes: { site: 'lyon', model: 'x=1' } }, admin, t2);
      await register({ name: 'Pump 3', deviceId: 'pump-3', attributes: { site: 'paris-east' } }, admin, t2);
      await register({ name: 'Pump 4', deviceId: 'pump-4' }, admin, t2);
      // The thing's attributes: the user's, and Fleet's owner and name.
      expect(t2.iot.calls.find((c) => c.command === 'CreateThing')?.input).toEqual({
        thingName: 'pump-1',
        attributePayload: { attributes: { site: 'lyon', floor: '2', owner: 'sub-alice', name: 'Pump_1' } },
      });
      const viewer = await t2.bearer({ groups: ['viewer'] });
      const list = async (query: string) => {
        const res = await asCaller(t2.app, viewer).get(`/api/devices?${query}`);
        expect(res.statusCode, query).toBe(200);
        expect(answerChecker(DevicePageSchema)(res.json())).toMatchObject({ ok: true });
        return res.json<{ items: { deviceId: string; attributes?: Record<string, string> }[]; total: number }>();
      };
      const idsOf = async (query: string) => (await list(query)).items.map((d) => d.deviceId);

      expect(await idsOf('attribute=site=lyon')).toEqual(['pump-1', 'pump-2']);
      expect(await idsOf('attribute=site')).toEqual(['pump-1', 'pump-2', 'pump-3']);
      expect(await idsOf('attribute=site=lyon&attribute=floor')).toEqual(['pump-1']);
      expect(await idsOf(`attribute=${encodeURIComponent('model=x=1')}`)).toEqual(['pump-2']);
      expect(await idsOf('attribute=site=LYON')).toEqual([]);
      expect(await idsOf('q=EAST')).toEqual(['pump-3']);
      expect(await idsOf('q=pump&attribute=site=lyon&sort=name&order=desc')).toEqual(['pump-2', 'pump-1']);
      expect((await list('attribute=floor=2')).items[0]?.attributes).toEqual({
        site: 'lyon',
        floor: '2',
        owner: 'sub-alice',
        name: 'Pump_1',
      });
      // A thing's attributes changed outside Fleet (UpdateThing) count once the index reads them again.
      t2.iotState.thingAttributes.set('pump-4', { site: 'lyon' });
      await register({ name: 'Pump 5', deviceId: 'pump-5' }, admin, t2);
      expect(await idsOf('attribute=site=lyon')).toEqual(['pump-1', 'pump-2', 'pump-4']);
    } finally {
      await t2.close();
    }
  });

  it('answers 400 ValidationError for an attribute filter AWS IoT could not hold, and for too many of them', async () => {
    const auth = await t.bearer();
    for (const bad of ['', '=lyon', 'site=', 'si te=lyon', 'site=ly on', `${'k'.repeat(129)}=v`, `site=${'v'.repeat(801)}`, 'site=a|b']) {
      const res = await asCaller(t.app, auth).get(`/api/devices?attribute=${encodeURIComponent(bad)}`);
      expect([res.statusCode, res.json().code], bad).toEqual([400, 'ValidationError']);
      expect(res.json().message, bad).toMatch(/^querystring\/attribute\/0 must/);
    }
    const many = Array.from({ length: 11 }, (_, i) => `attribute=a${i}`).join('&');
    const tooMany = await asCaller(t.app, auth).get(`/api/devices?${many}`);
    expect(tooMany.json()).toEqual({ code: 'ValidationError', message: 'querystring/attribute must NOT have more than 10 items' });
  });

  it('lists a device this task registered at once, and drops one it revoked', async () => {
    const t2 = await startTestApp();
    try {
      const admin = await t2.bearer({ groups: ['admin'] });
      await register({ name: 'first', deviceId: 'first-1' }, ['admin'], t2);
      expect((await asCaller(t2.app, admin).get('/api/devices')).json().total).toBe(1);
      await register({ name: 'second', deviceId: 'second-1' }, ['admin'], t2);
      await asCaller(t2.app, admin).delete('/api/devices/first-1');
      const after = (await asCaller(t2.app, admin).get('/api/devices')).json();
      expect(after.items.map((d: { deviceId: string }) => d.deviceId)).toEqual(['second-1']);
    } finally {
      await t2.close();
    }
  });

  it('answers 400 for a cursor it did not issue and for a limit out of range', async () => {
    const auth = await t.bearer();
    const badCursor = await asCaller(t.app, auth).get('/api/devices?cursor=not-a-cursor');
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().message).toContain('querystring/cursor');
    const badLimit = await asCaller(t.app, auth).get('/api/devices?limit=1000');
    expect(badLimit.statusCode).toBe(400);
    expect(badLimit.json().message).toBe('querystring/limit must be <= 100');
  });
});

describe('GET /api/devices/:id', () => {
  it('answers 404 for an unknown device and 400 for an invalid id', async () => {
    const auth = await t.bearer({ groups: ['viewer'] });
    const missing = await asCaller(t.app, auth).get('/api/devices/nobody');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ code: 'DeviceNotFound', message: 'Device "nobody" is not registered' });
    const invalid = await asCaller(t.app, auth).get('/api/devices/bad%20id');
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().message).toContain('params/id');
  });

  it('answers the registry item joined with the Data Service state of the device', async () => {
    await register({ name: 'Joined', deviceId: 'joined-1' });
    t.data!.setState({ deviceId: 'joined-1', online: false, lastSeenAt: '2026-02-01T00:00:00.000Z', disconnectReason: 'CONNECTION_LOST' });
    const res = await asCaller(t.app, await t.bearer()).get('/api/devices/joined-1');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      deviceId: 'joined-1',
      name: 'Joined',
      ownerName: 'alice',
      online: false,
      lastSeenAt: '2026-02-01T00:00:00.000Z',
      disconnectReason: 'CONNECTION_LOST',
    });
  });

  it('answers 502 when the Data Service answers the state of another device than the one asked', async () => {
    const odd = Fastify();
    odd.get('/data/device-states', async () => ({ devices: [{ deviceId: 'someone-else', online: true }] }));
    const t2 = await startTestApp({ config: { dataServiceUrl: await odd.listen({ port: 0, host: '127.0.0.1' }) } });
    try {
      const admin = await t2.bearer({ groups: ['admin'] });
      await register({ name: 'x', deviceId: 'asked' }, ['admin'], t2);
      const res = await asCaller(t2.app, admin).get('/api/devices/asked');
      expect(res.statusCode).toBe(502);
      expect(res.json()).toMatchObject({ code: 'DataServiceUnavailable' });
    } finally {
      await t2.close();
      await odd.close();
    }
  });
});

describe('DELETE /api/devices/:id', () => {
  it('deactivates, detaches and deletes the certificate, deletes the thing and the registry item', async () => {
    const created = (await register({ name: 'Doomed', deviceId: 'doomed-1' })).json();
    const { certificateArn, certificateId } = created.device;
    t.iot.calls.length = 0;
    const auth = await t.bearer({ groups: ['operator'] });
    const res = await asCaller(t.app, auth).delete('/api/devices/doomed-1');
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    // ListThingPrincipals: certificates a rotation added go too (none here).
    expect(t.iot.names()).toEqual([
      'UpdateCertificate',
      'DetachThingPrincipal',
      'DetachPolicy',
      'DeleteCertificate',
      'ListThingPrincipals',
      'DeleteThing',
    ]);
    expect(t.iot.calls[0]?.input).toEqual({ certificateId, newStatus: 'INACTIVE' });
    expect(t.iot.calls[3]?.input).toEqual({ certificateId, forceDelete: true });
    expect(t.iotState.things.has('doomed-1')).toBe(false);
    expect(t.iotState.certificates.has(certificateId)).toBe(false);
    expect([...t.iotState.policyAttachments].some((p) => p.endsWith(certificateArn))).toBe(false);
    const again = await asCaller(t.app, auth).delete('/api/devices/doomed-1');
    expect(again.statusCode).toBe(404);
  });

  it('completes when the IoT resources are already gone', async () => {
    const created = (await register({ name: 'Half gone', deviceId: 'half-gone' })).json();
    t.iotState.certificates.delete(created.device.certificateId);
    t.iotState.things.delete('half-gone');
    const auth = await t.bearer({ groups: ['operator'] });
    const res = await asCaller(t.app, auth).delete('/api/devices/half-gone');
    expect(res.statusCode).toBe(204);
  });

  it('retries DeleteThing while the detachment of the certificate propagates', async () => {
    await register({ name: 'Slow detach', deviceId: 'slow-detach' });
    let refusals = 1;
    t.iot.on({
      DeleteThing: (i) => {
        if (refusals-- > 0) return Promise.reject(awsError('InvalidRequestException', 'thing still has principals'));
        t.iotState.things.delete(String(i['thingName']));
        return {};
      },
    });
    t.iot.calls.length = 0;
    const auth = await t.bearer({ groups: ['operator'] });
    const res = await asCaller(t.app, auth).delete('/api/devices/slow-detach');
    expect(res.statusCode).toBe(204);
    expect(t.iot.names().filter((n) => n === 'DeleteThing')).toHaveLength(2);
    expect(t.iotState.things.has('slow-detach')).toBe(false);
  });

  it('answers 403 to a viewer', async () => {
    await register({ name: 'Kept', deviceId: 'kept-1' });
    const res = await asCaller(t.app, await t.bearer({ groups: ['viewer'] })).delete('/api/devices/kept-1');
    expect(res.statusCode).toBe(403);
    expect(t.iotState.things.has('kept-1')).toBe(true);
  });
});
