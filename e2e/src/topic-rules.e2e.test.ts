/**
 * Topic rules at run time over real processes and tools no one here wrote: a rule created with the
 * AWS CLI (`aws iot create-topic-rule --endpoint-url ...`) republishes a device's message to a topic
 * that `mosquitto_sub` (with a certificate made by the AWS CLI and the local CA) sees; a Basic Ingest
 * publish (`$aws/rules/<rule>/...`) from `mosquitto_pub` reaches it too; an HTTP destination is
 * confirmed by opening the confirmation message's `enableUrl` without credentials, and an HTTP rule
 * then delivers; the platform's own rules are there, created through the same CreateTopicRule at start.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rules } from '@fleet/core';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';

const run = promisify(execFile);
const awsCliInstalled = await run('aws', ['--version']).then(
  () => true,
  () => false,
);
const mosquitto = existsSync('/usr/bin/mosquitto_sub') && existsSync('/usr/bin/mosquitto_pub');

describe.skipIf(deployedEndpointsFile || !awsCliInstalled || !mosquitto)('topic rules created with the AWS CLI', () => {
  let platform: PlatformProcess;
  let folder: string;
  beforeAll(async () => {
    platform = await startPlatformProcess();
    folder = await mkdtemp(join(tmpdir(), 'fleet-topic-rules-'));
  }, 120_000);
  afterAll(() => platform?.stop(), 60_000);

  /** The AWS CLI against the local endpoint, as the account root. */
  async function aws(...args: string[]): Promise<unknown> {
    const root = await platform.credentials();
    const { stdout } = await run(
      'aws',
      ['--endpoint-url', platform.endpoints.awsEndpoint, '--region', platform.endpoints.region, '--output', 'json', ...args],
      {
        env: {
          PATH: process.env.PATH,
          HOME: folder,
          AWS_ACCESS_KEY_ID: root?.accessKeyId,
          AWS_SECRET_ACCESS_KEY: root?.secretAccessKey,
        },
        timeout: 30_000,
      },
    );
    return stdout.trim() === '' ? {} : (JSON.parse(stdout) as unknown);
  }

  /** A certificate made with the AWS CLI, allowed the e2e topics and Basic Ingest; `mosquitto_*` arguments for it. */
  async function clientArgs(clientId: string): Promise<string[]> {
    const keys = (await aws('iot', 'create-keys-and-certificate', '--set-as-active')) as {
      certificateArn: string;
      certificatePem: string;
      keyPair: { PrivateKey: string };
    };
    await aws('iot', 'attach-policy', '--policy-name', 'e2e-topic-rules', '--target', keys.certificateArn);
    await writeFile(join(folder, `${clientId}.cert.pem`), keys.certificatePem);
    await writeFile(join(folder, `${clientId}.private.key`), keys.keyPair.PrivateKey);
    return [
      '--cafile',
      platform.endpoints.caFile ?? '',
      '--cert',
      join(folder, `${clientId}.cert.pem`),
      '--key',
      join(folder, `${clientId}.private.key`),
      '-h',
      platform.endpoints.mqttHost,
      '-p',
      String(platform.endpoints.mqttPort),
      '-i',
      clientId,
      '-q',
      '1',
    ];
  }

  it("lists the platform's own rules, created through CreateTopicRule at start", async () => {
    const listed = (await aws('iot', 'list-topic-rules')) as { rules: { ruleName: string; ruleDisabled: boolean }[] };
    expect(listed.rules.map((r) => r.ruleName).sort()).toEqual(rules.map((r) => r.name).sort());
    expect(listed.rules.every((r) => !r.ruleDisabled)).toBe(true);
  });

  it('republishes to a topic mosquitto_sub sees, from the moment the CLI created the rule; Basic Ingest reaches it too', async () => {
    const arn = (resource: string) => `arn:aws:iot:${platform.endpoints.region}:${platform.endpoints.accountId}:${resource}`;
    await aws(
      'iot',
      'create-policy',
      '--policy-name',
      'e2e-topic-rules',
      '--policy-document',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client/e2e-*') },
          { Effect: 'Allow', Action: 'iot:Publish', Resource: [arn('topic/e2e/sensors/*'), arn('topic/$aws/rules/e2e_echo/*')] },
          { Effect: 'Allow', Action: 'iot:Subscribe', Resource: arn('topicfilter/e2e/republished/*') },
          { Effect: 'Allow', Action: 'iot:Receive', Resource: arn('topic/e2e/republished/*') },
        ],
      }),
    );
    const subscriberArgs = await clientArgs('e2e-subscriber');
    const deviceArgs = await clientArgs('e2e-device');

    await aws(
      'iot',
      'create-topic-rule',
      '--rule-name',
      'e2e_echo',
      '--topic-rule-payload',
      JSON.stringify({
        sql: "SELECT value, topic(3) AS sensor FROM 'e2e/sensors/+'",
        awsIotSqlVersion: '2016-03-23',
        ruleDisabled: false,
        actions: [{ republish: { topic: 'e2e/republished/${topic(3)}', qos: 1, roleArn: 'arn:aws:iam::000000000000:role/e2e' } }],
      }),
    );
    const got = (await aws('iot', 'get-topic-rule', '--rule-name', 'e2e_echo')) as { ruleArn: string; rule: { sql: string } };
    expect(got).toMatchObject({ ruleArn: arn('rule/e2e_echo'), rule: { sql: "SELECT value, topic(3) AS sensor FROM 'e2e/sensors/+'" } });

    // The device publishes until mosquitto_sub printed the republished message (the SUBSCRIBE
    // follows the CONNACK at a moment no one can see from outside).
    const sub = spawn('mosquitto_sub', [...subscriberArgs, '-W', '60', '-v', '-t', 'e2e/republished/#']);
    let out = '';
    sub.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise((resolve) => sub.once('exit', resolve));
    const lines = () => out.split('\n').filter(Boolean);
    const pub = (topic: string, message: string) => run('mosquitto_pub', [...deviceArgs, '-t', topic, '-m', message], { timeout: 15_000 });
    try {
      for (let i = 0; i < 60 && lines().length === 0; i++) {
        await pub('e2e/sensors/s1', '{"value":1}');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(lines()[0]).toBe('e2e/republished/s1 {"value":1,"sensor":"s1"}');
      // Basic Ingest: the rule evaluates `e2e/sensors/s2`, and the broker forwards it to no one.
      await pub('$aws/rules/e2e_echo/e2e/sensors/s2', '{"value":2}');
      await expect.poll(() => lines().some((l) => l.startsWith('e2e/republished/s2 ')), { timeout: 10_000 }).toBe(true);
      expect(lines().filter((l) => l.startsWith('e2e/republished/s2 '))).toEqual(['e2e/republished/s2 {"value":2,"sensor":"s2"}']);
    } finally {
      sub.kill();
      await exited;
    }

    // Deleted with the CLI: it stops at once.
    await aws('iot', 'delete-topic-rule', '--rule-name', 'e2e_echo');
    await expect(aws('iot', 'get-topic-rule', '--rule-name', 'e2e_echo')).rejects.toMatchObject({
      stderr: expect.stringContaining('UnauthorizedException'),
    });
  }, 120_000);

  it('confirms an HTTP destination through the enableUrl of its confirmation message, then delivers to it', async () => {
    const requests: { path: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        requests.push({ path: req.url ?? '', body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const created = (await aws(
        'iot',
        'create-topic-rule-destination',
        '--destination-configuration',
        JSON.stringify({ httpUrlConfiguration: { confirmationUrl: url } }),
      )) as { topicRuleDestination: { arn: string; status: string } };
      expect(created.topicRuleDestination.status).toBe('IN_PROGRESS');
      await expect.poll(() => requests.length, { timeout: 10_000 }).toBe(1);
      const confirmation = JSON.parse(requests[0]!.body) as { enableUrl: string; messageType: string };
      expect(confirmation.messageType).toBe('DestinationConfirmation');
      // Whoever receives the message confirms by opening the URL: no AWS credentials.
      expect((await fetch(confirmation.enableUrl)).status).toBe(200);
      const got = (await aws('iot', 'get-topic-rule-destination', '--arn', created.topicRuleDestination.arn)) as {
        topicRuleDestination: { status: string };
      };
      expect(got.topicRuleDestination.status).toBe('ENABLED');

      await aws(
        'iot',
        'create-topic-rule',
        '--rule-name',
        'e2e_hook',
        '--topic-rule-payload',
        JSON.stringify({
          sql: "SELECT value FROM 'e2e/sensors/+'",
          awsIotSqlVersion: '2016-03-23',
          actions: [{ http: { url: `${url}/\${topic(3)}` } }],
        }),
      );
      const deviceArgs = await clientArgs('e2e-hook-device');
      await run('mosquitto_pub', [...deviceArgs, '-t', 'e2e/sensors/h1', '-m', '{"value":42}'], { timeout: 15_000 });
      // The PUBACK came once the action was done: the request is there already.
      expect(requests.slice(1)).toEqual([{ path: '/hook/h1', body: '{"value":42}' }]);
      await aws('iot', 'delete-topic-rule', '--rule-name', 'e2e_hook');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 60_000);

  it('refuses a lambda action with a message saying why', async () => {
    await expect(
      aws(
        'iot',
        'create-topic-rule',
        '--rule-name',
        'e2e_lambda',
        '--topic-rule-payload',
        JSON.stringify({
          sql: "SELECT * FROM 'e2e/sensors/+'",
          actions: [{ lambda: { functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f' } }],
        }),
      ),
    ).rejects.toMatchObject({ stderr: expect.stringMatching(/InvalidRequestException.*no Lambda runtime/s) });
  });
});
