export { createCognitoStandIn } from './cognito-stand-in.ts';
export type { CognitoStandIn, CognitoStandInOptions, IssuedCredentialLookup } from './cognito-stand-in.ts';
export { credentialLifetimeMs } from './identity-pool-operations.ts';
