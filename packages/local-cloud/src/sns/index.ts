export { createSnsStandIn, type SnsStandIn, type SnsStandInOptions } from './sns-stand-in.ts';
export { mailboxPath } from './mailbox-route.ts';
export { signingCertificatePath } from './sns-messages.ts';
