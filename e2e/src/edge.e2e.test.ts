/**
 * The platform's edge over real processes and sockets: the gateway, and the service ports the
 * local machine can reach directly. A request target naming another host is refused and does not
 * replay anything; the Data Service answers nobody without a token and replays for admins only;
 * malformed tokens, huge bodies, HTTP/0.9 and slow clients get clear, immediate answers.
 */
import { randomUUID } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { telemetryBucket, telemetryIngestRule, topics } from '@fleet/core';
import { rawRequest, unclearAnswer } from '@fleet/core/http/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, type FleetUser } from './fleet-user.ts';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';
import type { DeadLetterReplayResult } from '@fleet/core';

// Reaches the services' own ports and the local S3: local only.
describe.skipIf(deployedEndpointsFile)('the edge of the platform', () => {
  let platform: PlatformProcess;
  let admin: FleetUser;
  let operator: FleetUser;
  let viewer: FleetUser;
  let s3: S3Client;

  beforeAll(async () => {
    platform = await startPlatformProcess();
    [admin, operator, viewer] = await Promise.all([
      createUser(platform, { role: 'admin' }),
      createUser(platform, { role: 'operator' }),
      createUser(platform, { role: null }),
    ]);
    const credentials = await platform.credentials();
    s3 = new S3Client({
      region: platform.endpoints.region,
      endpoint: platform.endpoints.awsEndpoint,
      forcePathStyle: true,
      ...(credentials ? { credentials } : {}),
    });
  }, 120_000);

  afterAll(async () => {
    s3?.destroy();
    await platform?.stop();
  }, 60_000);

  const bearer = (user: FleetUser) => `Bearer ${user.tokens.accessToken}`;
  const request = async (port: number, text: string | Buffer, waitMs = 5_000) => {
    const answer = await rawRequest(port, text, { waitMs });
    expect(unclearAnswer(answer.status, answer.body, { headers: answer.headers })).toBeUndefined();
    return answer;
  };

  it('refuses targets that name the Data Service host, and nothing is replayed until an admin asks the API', async () => {
    // A message the IoT rule's error action saved (its documented shape), waiting for a replay.
    const key = `${telemetryBucket.prefixes.deadLetters}rules/${telemetryIngestRule.name}/2026/01/01/00/${randomUUID()}.json`;
    const payload = Buffer.from(JSON.stringify({ ts: Date.now() - 1000, seq: 1, temperature: 1 })).toString('base64');
    await s3.send(
      new PutObjectCommand({
        Bucket: platform.endpoints.bucket,
        Key: key,
        Body: JSON.stringify({ ruleName: telemetryIngestRule.name, topic: topics.telemetry('edge-x'), base64OriginalPayload: payload }),
      }),
    );
    const data = `127.0.0.1:${platform.ports.data}`;
    for (const target of [
      `//${data}/internal/dead-letters/replay`,
      `/\\${data}/internal/dead-letters/replay`,
      `http://${data}/internal/dead-letters/replay`,
    ]) {
      const answer = await request(
        platform.ports.gateway,
        `POST ${target} HTTP/1.1\r\nHost: fleet\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      );
      expect(answer.status, target).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'MalformedRequest' });
    }
    // Straight at the Data Service's port: no token, no replay.
    const direct = await request(
      platform.ports.data,
      'POST /internal/dead-letters/replay HTTP/1.1\r\nHost: fleet\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
    expect(direct.status).toBe(401);
    await expect(s3.send(new HeadObjectCommand({ Bucket: platform.endpoints.bucket, Key: key }))).resolves.toBeDefined();

    await expect(viewer.api.call('POST', '/api/dead-letters/replay')).rejects.toMatchObject({ status: 403 });
    const replayed = await admin.api.call<DeadLetterReplayResult>('POST', '/api/dead-letters/replay');
    expect(replayed.errorAction.replayed).toBeGreaterThanOrEqual(1);
    await expect(s3.send(new HeadObjectCommand({ Bucket: platform.endpoints.bucket, Key: key }))).rejects.toMatchObject({
      name: 'NotFound',
    });
  });

  it('lets the Data Service answer a caller only with a token and the role its route needs, on its port and through the gateway', async () => {
    const get = (port: number, path: string, user?: FleetUser) =>
      request(port, `GET ${path} HTTP/1.1\r\nHost: fleet\r\n${user ? `Authorization: ${bearer(user)}\r\n` : ''}Connection: close\r\n\r\n`);
    for (const port of [platform.ports.data, platform.ports.gateway]) {
      expect((await get(port, '/data/dead-letters')).status).toBe(401);
      expect((await get(port, '/data/dead-letters', viewer)).status).toBe(403);
      expect((await get(port, '/data/dead-letters', operator)).status).toBe(200);
      expect((await get(port, '/data/devices/nope/latest')).status).toBe(401);
      expect((await get(port, '/data/devices/nope/latest', viewer)).status).toBe(404);
      expect((await get(port, '/data/health')).status).toBe(200);
    }
    for (const user of [viewer, operator]) {
      const replay = await request(
        platform.ports.data,
        `POST /internal/dead-letters/replay HTTP/1.1\r\nHost: fleet\r\nAuthorization: ${bearer(user)}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      );
      expect(replay.status).toBe(403);
    }
  });

  it('answers a malformed bearer token with 401 and a challenge on the gateway and on each service port', async () => {
    const claims = Buffer.from(JSON.stringify({ iss: 'x\ny', sub: 'é' })).toString('base64url');
    const token = `eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.${claims}.c2ln`;
    for (const [port, path] of [
      [platform.ports.gateway, '/api/devices'],
      [platform.ports.api, '/api/devices'],
      [platform.ports.data, '/data/dead-letters'],
    ] as const) {
      const answer = await request(
        port,
        `GET ${path} HTTP/1.1\r\nHost: fleet\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`,
      );
      expect(answer.status, String(port)).toBe(401);
      expect(answer.headers['www-authenticate']).toMatch(/^Bearer realm="fleet", error="invalid_token"/);
    }
  });

  it('answers 1 MB and 10 MB bodies with 413 JSON, on the gateway and on the API port', async () => {
    for (const size of [1_000_000, 10_000_000]) {
      for (const base of [platform.endpoints.gatewayUrl, `http://127.0.0.1:${platform.ports.api}`]) {
        const res = await fetch(`${base}/api/devices`, {
          method: 'POST',
          headers: { authorization: bearer(operator), 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'x'.repeat(size) }),
        });
        expect(res.status, `${size} ${base}`).toBe(413);
        expect(await res.json()).toMatchObject({ code: 'PayloadTooLarge' });
      }
    }
  });

  it('answers HTTP/0.9 at once on every port, and closes on a client that sends its headers too slowly', async () => {
    for (const port of [platform.ports.gateway, platform.ports.frontend, platform.ports.api, platform.ports.data]) {
      const answer = await request(port, 'GET /\r\n');
      expect(answer).toMatchObject({ status: 400, closed: true });
      expect(answer.elapsedMs).toBeLessThan(2_000);
    }
    // One header line every 2 s never completes: the headers timeout (10 s) ends it with 408.
    const slow = await rawRequest(
      platform.ports.gateway,
      ['GET / HTTP/1.1\r\n', ...Array.from({ length: 10 }, (_, i) => `X-Slow-${i}: 1\r\n`)],
      {
        gapMs: 2_000,
        waitMs: 25_000,
      },
    );
    expect(slow).toMatchObject({ status: 408, closed: true });
    expect(slow.elapsedMs).toBeLessThan(15_000);
  }, 60_000);

  it('takes inputs as sent: 404 for telemetry of an unknown device, 400 for a coerced type or broken UTF-8', async () => {
    const unknown = await operator.api
      .call('GET', '/api/devices/no-such-device/telemetry')
      .catch((e: { status: number; body: unknown }) => e);
    expect(unknown).toMatchObject({ status: 404, body: { code: 'DeviceNotFound' } });
    const coerced = await operator.api.call('POST', '/api/devices', { name: 42 }).catch((e: { status: number; body: unknown }) => e);
    expect(coerced).toMatchObject({ status: 400, body: { code: 'ValidationError', message: 'body/name must be string' } });
    const broken = await fetch(`${platform.endpoints.gatewayUrl}/api/devices`, {
      method: 'POST',
      headers: { authorization: bearer(operator), 'content-type': 'application/json' },
      body: Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ code: 'MalformedRequest' });
  });
});
