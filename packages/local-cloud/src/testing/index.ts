/**
 * `@fleet/local-cloud/testing`: the stand-ins as test fixtures for other workspaces' tests (a dev
 * dependency only), each on ephemeral loopback ports with a temporary data folder and real AWS SDK
 * clients pointed at it.
 */
export { startTestDynamo, startTestS3, type TestDynamo, type TestS3 } from './in-process-aws.ts';
export { createTableInput } from '../dynamodb/ensure-tables.ts';
export { startSqsHarness, type SqsHarness } from './sqs-harness.ts';
export { awsErrorOf, startCognitoHarness, type CognitoHarness } from './cognito-harness.ts';
export { createBrowserIdentityPool, userPoolProvider } from './browser-identity-pool.ts';
export { passwordAuth, passwordSignInTokens, refreshAuth, type PasswordSignIn } from './user-pool-sign-in.ts';
export {
  createFleetPolicies,
  provisionDevice,
  startFixture as startIotFixture,
  type Device,
  type Fixture as IotFixture,
} from './iot-fixture.ts';
export { closed, connectTls, connectWs, eventually, subscribeGranted, type TlsIdentity } from './mqtt-test-client.ts';
export { connectJobsClient, type JobsTestClient } from './jobs-test-device.ts';
export { expectAwsError } from './aws-error-expectation.ts';
export { opensslCsr, type OpensslCsr } from './openssl-csr.ts';
export { startHarness as startCloudWatchHarness, type Harness as CloudWatchHarness } from './cloudwatch-harness.ts';
export { InvalidCsrError, loadOrCreateLocalCa, type LocalCa } from '../iot/ca/local-ca.ts';
