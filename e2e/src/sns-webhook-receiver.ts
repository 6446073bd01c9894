/**
 * A webhook as its owner would write it from AWS's "Verifying the signatures of Amazon SNS messages":
 * an HTTP server on 127.0.0.1 that checks every message's signature against the certificate at its
 * `SigningCertURL` (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA, over the documented canonical
 * string), confirms its subscription by visiting `SubscribeURL`, and keeps each Notification.
 */
import { X509Certificate, createVerify } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SnsMessage {
  readonly Type: string;
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Message: string;
  readonly Timestamp: string;
  readonly SignatureVersion: string;
  readonly Signature: string;
  readonly SigningCertURL: string;
  readonly Subject?: string;
  readonly Token?: string;
  readonly SubscribeURL?: string;
}

export interface SnsWebhookReceiver {
  readonly url: string;
  /** Notifications whose signature verified, in arrival order (a redelivery appears twice). */
  readonly notifications: SnsMessage[];
  /** Subscriptions this receiver confirmed. */
  readonly confirmed: string[];
  /** Messages refused: bad signature or shape (each with the reason). */
  readonly refused: string[];
  stop(): Promise<void>;
}

/** The documented canonical string: `Key\nValue\n` for each signed key present, in this order. */
const signedKeys = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
} as const;

async function verify(message: SnsMessage, certificates: Map<string, string>): Promise<string | undefined> {
  const keys = signedKeys[message.Type as keyof typeof signedKeys] as readonly (keyof SnsMessage)[] | undefined;
  if (!keys) return `unknown Type ${message.Type}`;
  const algorithm = message.SignatureVersion === '1' ? 'RSA-SHA1' : message.SignatureVersion === '2' ? 'RSA-SHA256' : undefined;
  if (!algorithm) return `unknown SignatureVersion ${message.SignatureVersion}`;
  let pem = certificates.get(message.SigningCertURL);
  if (pem === undefined) {
    const answer = await fetch(message.SigningCertURL);
    if (!answer.ok) return `SigningCertURL answered ${answer.status}`;
    pem = await answer.text();
    certificates.set(message.SigningCertURL, pem);
  }
  const canonical = keys
    .filter((k) => message[k] !== undefined)
    .map((k) => `${k}\n${message[k]}\n`)
    .join('');
  const ok = createVerify(algorithm).update(canonical, 'utf8').verify(new X509Certificate(pem).publicKey, message.Signature, 'base64');
  return ok ? undefined : 'signature does not verify';
}

export async function startSnsWebhookReceiver(): Promise<SnsWebhookReceiver> {
  const notifications: SnsMessage[] = [];
  const confirmed: string[] = [];
  const refused: string[] = [];
  const certificates = new Map<string, string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        try {
          const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SnsMessage;
          const problem = await verify(message, certificates);
          if (problem) {
            refused.push(problem);
            res.writeHead(400).end();
            return;
          }
          if (message.Type === 'SubscriptionConfirmation' && message.SubscribeURL) {
            const answer = await fetch(message.SubscribeURL);
            if (answer.ok) confirmed.push(message.TopicArn);
          } else if (message.Type === 'Notification') notifications.push(message);
          res.writeHead(200).end();
        } catch (err) {
          refused.push(String(err));
          res.writeHead(400).end();
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/fleet-alarms`,
    notifications,
    confirmed,
    refused,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
