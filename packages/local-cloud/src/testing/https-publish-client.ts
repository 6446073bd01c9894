/**
 * Test helper: a device's HTTPS publish to the IoT stand-in with Node's https client, its
 * certificate and key, trusting the local CA, as a device would with Amazon Root CA 1.
 */
import { request } from 'node:https';
import { iotHttpsPublishPath, type IotHttpsPublishAnswer } from '@fleet/core';
import type { TlsIdentity } from './mqtt-test-client.ts';

export interface HttpsPublishResult {
  readonly status: number;
  readonly body: IotHttpsPublishAnswer;
}

export function httpsPublish(
  port: number,
  caPem: string,
  identity: TlsIdentity,
  topic: string,
  payload: string | Buffer,
  options: { readonly qos?: 0 | 1; readonly path?: string; readonly method?: string } = {},
): Promise<HttpsPublishResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'POST',
        path: options.path ?? iotHttpsPublishPath(topic, options.qos ?? 1),
        ca: caPem,
        cert: identity.certificatePem,
        key: identity.privateKeyPem,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) as IotHttpsPublishAnswer });
          } catch (err) {
            reject(new Error(`answer ${res.statusCode} is not JSON`, { cause: err }));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
