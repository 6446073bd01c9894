/**
 * Everything that holds data: tables, bucket, queues (storage) and the user pool with its identity
 * pool (auth). Kept apart from the platform so that the platform can be destroyed and rebuilt
 * freely; everything here is retained when the stack is deleted.
 */
import type { RemovalPolicy, StackProps } from 'aws-cdk-lib';
import { CfnOutput, Stack } from 'aws-cdk-lib';
import {
  browserPolicyName,
  browserRoleStatements,
  ingestQueue,
  sharedBrowserPolicyDocument,
  passwordPolicy,
  tables,
  tokenValidity,
  userPoolGroups,
} from '@fleet/core';
import type { Construct } from 'constructs';
import { Auth } from '../constructs/auth.ts';
import { Storage } from '../constructs/storage.ts';

export interface StatefulStackProps extends StackProps {
  /**
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /** Origins of the web app (presigned uploads from the browser). @default ['*'] (see Storage) */
  readonly browserOrigins?: readonly string[];
}

export class StatefulStack extends Stack {
  readonly storage: Storage;
  readonly auth: Auth;
  /**
   * Export names of the telemetry bucket. The platform imports the bucket through these fixed
   * names, so its IAM findings and acknowledgements name a stable resource string.
   */
  readonly bucketExports: { readonly arn: string; readonly name: string };

  constructor(scope: Construct, id: string, props: StatefulStackProps = {}) {
    super(scope, id, props);
    const removal = props.removalPolicy ? { removalPolicy: props.removalPolicy } : {};
    this.storage = new Storage(this, 'Storage', {
      tables,
      ingestQueue,
      ...removal,
      ...(props.browserOrigins ? { browserOrigins: props.browserOrigins } : {}),
    });
    this.auth = new Auth(this, 'Auth', {
      groups: userPoolGroups,
      passwordPolicy,
      tokenValidity,
      // The shared policy of earlier releases stays (AWS IoT refuses to delete an attached policy), allowing Connect only.
      browserPolicy: { name: browserPolicyName, document: sharedBrowserPolicyDocument, roleStatements: browserRoleStatements },
      ...removal,
    });
    this.bucketExports = { arn: `${this.stackName}-telemetry-bucket-arn`, name: `${this.stackName}-telemetry-bucket-name` };
    new CfnOutput(this, 'TelemetryBucketArn', { value: this.storage.bucket.bucketArn, exportName: this.bucketExports.arn });
    new CfnOutput(this, 'TelemetryBucketName', { value: this.storage.bucket.bucketName, exportName: this.bucketExports.name });
    new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.auth.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'IdentityPoolId', { value: this.auth.identityPool.identityPoolId });
  }
}
