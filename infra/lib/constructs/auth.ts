/**
 * Diagram group "Authentication": the Cognito user pool (groups and password policy from
 * `@fleet/core`), its public app client, and the identity pool whose authenticated role — together
 * with the browser IoT policy attached to each identity by the API Service — lets a signed-in
 * browser receive live telemetry over MQTT-over-WebSocket.
 * AWS requires both the role and the IoT policy to allow an action:
 * https://docs.aws.amazon.com/iot/latest/developerguide/cog-iot-policies.html
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as identitypool from 'aws-cdk-lib/aws-cognito-identitypool';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import type {
  IotPolicyDocument,
  IotPolicyStatement,
  passwordPolicy as PasswordPolicy,
  tokenValidity as TokenValidity,
  userPoolGroups as UserPoolGroups,
} from '@fleet/core';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../nag.ts';

export interface AuthProps {
  readonly groups: typeof UserPoolGroups;
  readonly passwordPolicy: typeof PasswordPolicy;
  readonly tokenValidity: typeof TokenValidity;
  /** Name and document of the IoT policy for browsers (the document is built with this stack's region and account). */
  readonly browserPolicy: {
    readonly name: string;
    readonly document: (region: string, account: string) => IotPolicyDocument;
    /** The identity pool role's statements: the union of every user's own browser policy. */
    readonly roleStatements: (region: string, account: string) => readonly IotPolicyStatement[];
  };
  /**
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

export class Auth extends Construct {
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  readonly identityPool: identitypool.IdentityPool;
  readonly browserIotPolicy: iot.CfnPolicy;

  constructor(scope: Construct, id: string, props: AuthProps) {
    super(scope, id);
    const { region, account } = Stack.of(this);
    const pw = props.passwordPolicy;

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      // Open sign-up is safe because a user in no group is a viewer (read only); the first user of
      // the stack becomes admin (the API Service's first-admin claim) and invites or promotes others.
      selfSignUpEnabled: true,
      // Admins invite with AdminCreateUser (POST /api/users): Cognito mails this with a temporary password.
      userInvitation: {
        emailSubject: 'Your Fleet account',
        emailBody:
          'You are invited to Fleet. Sign in with {username} and the temporary password {####}; you will choose your own password then.',
      },
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: pw.minimumLength,
        requireLowercase: pw.requireLowercase,
        requireUppercase: pw.requireUppercase,
        requireDigits: pw.requireNumbers,
        requireSymbols: pw.requireSymbols,
        tempPasswordValidity: Duration.days(pw.temporaryPasswordValidityDays),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: (props.removalPolicy ?? RemovalPolicy.RETAIN) === RemovalPolicy.RETAIN,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions::AwsSolutions-COG1',
      reason:
        'Length 12 with upper, lower and digits (packages/core passwordPolicy, shared with the local stand-in); symbols are off by product decision, length adds more entropy than one symbol.',
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions::AwsSolutions-COG2',
      reason:
        'MFA is OPTIONAL (TOTP): self sign-up, the simulator and the end-to-end tests sign in non-interactively; admins can enforce it per user.',
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions::AwsSolutions-COG8',
      reason:
        'The Plus feature plan is billed per monthly active user; its threat protection is not justified for this telemetry dashboard yet.',
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions::AwsSolutions-COG3',
      reason:
        'Threat protection needs the Plus feature plan (billed per monthly active user); not justified for this telemetry dashboard yet.',
    });

    props.groups.forEach((group) => {
      new cognito.CfnUserPoolGroup(this, `Group${group.name[0]!.toUpperCase()}${group.name.slice(1)}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: group.name,
        description: group.description,
        precedence: group.precedence,
      });
    });

    const tv = props.tokenValidity;
    this.userPoolClient = this.userPool.addClient('WebClient', {
      // A browser and CLI client: no secret can be kept.
      generateSecret: false,
      authFlows: { userPassword: true, userSrp: true },
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.minutes(tv.accessTokenMinutes),
      idTokenValidity: Duration.minutes(tv.idTokenMinutes),
      refreshTokenValidity: Duration.days(tv.refreshTokenDays),
      enableTokenRevocation: true,
    });

    this.identityPool = new identitypool.IdentityPool(this, 'IdentityPool', {
      allowUnauthenticatedIdentities: false,
      authenticationProviders: {
        userPools: [new identitypool.UserPoolAuthenticationProvider({ userPool: this.userPool, userPoolClient: this.userPoolClient })],
      },
    });

    // The role allows what every user's own IoT policy may allow (the API Service writes those,
    // services/api live/browser-policies.ts); AWS requires both, so each user gets their policy's share.
    for (const statement of props.browserPolicy.roleStatements(region, account)) {
      const iamStatement = iam.PolicyStatement.fromJson(statement);
      this.identityPool.authenticatedRole.addToPrincipalPolicy(iamStatement);
      for (const resource of iamStatement.resources.filter((r) => r.includes('*'))) {
        acknowledgeWildcardResource(
          this.identityPool.authenticatedRole,
          resource,
          "A signed-in user receives the telemetry of every device, or of their granted thing groups (packages/core device-access.ts): device ids and group names are the wildcards, each user's own IoT policy narrows them; publishing is not allowed.",
        );
      }
    }
    this.browserIotPolicy = new iot.CfnPolicy(this, 'BrowserIotPolicy', {
      policyName: props.browserPolicy.name,
      policyDocument: props.browserPolicy.document(region, account),
    });
  }
}
