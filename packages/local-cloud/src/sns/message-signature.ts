/**
 * Signatures of SNS messages, as "Verifying the signatures of Amazon SNS messages" (SNS Developer
 * Guide) describes them: the string to sign is `Name\nvalue\n` for a fixed list of fields in
 * byte order of their names, the fields depending on the message type; SignatureVersion 1 signs it
 * with SHA1withRSA, 2 with SHA256withRSA (the topic's `SignatureVersion` attribute); the signature
 * is base64.
 */
import { sign, type KeyObject } from 'node:crypto';

export type SnsMessageType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

/** The fields of an SNS message that are signed (and the ones that carry the signature). */
export interface SignableMessage {
  readonly Type: SnsMessageType;
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Message: string;
  readonly Timestamp: string;
  readonly Subject?: string;
  readonly Token?: string;
  readonly SubscribeURL?: string;
}

const notificationFields = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const confirmationFields = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;

/** The canonical string: absent optional fields (a Notification without Subject) are left out. */
export function stringToSign(message: SignableMessage): string {
  const fields = message.Type === 'Notification' ? notificationFields : confirmationFields;
  return fields
    .filter((name) => message[name] !== undefined)
    .map((name) => `${name}\n${message[name] ?? ''}\n`)
    .join('');
}

export function signMessage(message: SignableMessage, signatureVersion: '1' | '2', key: KeyObject): string {
  return sign(signatureVersion === '2' ? 'sha256' : 'sha1', Buffer.from(stringToSign(message), 'utf8'), key).toString('base64');
}
