/**
 * Operations AWS serves without SigV4 credentials: Cognito's user-facing APIs, authorized by the
 * app client id, a password, a confirmation code or the user's own token, and the identity pool's
 * GetId / GetCredentialsForIdentity, authorized by the Logins tokens. These are the operations the
 * AWS SDK v3 models with `smithy.api#optionalAuth` (it does not sign them).
 */
const publicOperations: Readonly<Record<string, ReadonlySet<string>>> = {
  'cognito-idp': new Set([
    'AssociateSoftwareToken',
    'ChangePassword',
    'CompleteWebAuthnRegistration',
    'ConfirmDevice',
    'ConfirmForgotPassword',
    'ConfirmSignUp',
    'DeleteUser',
    'DeleteUserAttributes',
    'DeleteWebAuthnCredential',
    'ForgetDevice',
    'ForgotPassword',
    'GetDevice',
    'GetTokensFromRefreshToken',
    'GetUser',
    'GetUserAttributeVerificationCode',
    'GetUserAuthFactors',
    'GlobalSignOut',
    'InitiateAuth',
    'ListDevices',
    'ListWebAuthnCredentials',
    'ResendConfirmationCode',
    'RespondToAuthChallenge',
    'RevokeToken',
    'SetUserMFAPreference',
    'SetUserSettings',
    'SignUp',
    'StartWebAuthnRegistration',
    'UpdateAuthEventFeedback',
    'UpdateDeviceStatus',
    'UpdateUserAttributes',
    'VerifySoftwareToken',
    'VerifyUserAttribute',
  ]),
  'cognito-identity': new Set(['GetCredentialsForIdentity', 'GetId', 'GetOpenIdToken', 'UnlinkIdentity']),
  // SNS: the SubscribeURL and UnsubscribeURL links of its messages, served without a signature; the
  // token, or the unguessable subscription ARN, is the authorization (SNS API Reference, ConfirmSubscription, Unsubscribe).
  sns: new Set(['ConfirmSubscription', 'Unsubscribe']),
};

/** Query-protocol actions a plain link may call without a signature, with their service. */
export const publicQueryActions: Readonly<Record<string, string>> = {
  ConfirmSubscription: 'sns',
  Unsubscribe: 'sns',
};

/** X-Amz-Target prefixes of those services, to route an unsigned request. */
export const publicTargetPrefixes: Readonly<Record<string, string>> = {
  AWSCognitoIdentityProviderService: 'cognito-idp',
  AWSCognitoIdentityService: 'cognito-identity',
};

export function isPublicOperation(service: string, operation: string | undefined): boolean {
  return operation !== undefined && publicOperations[service]?.has(operation) === true;
}
