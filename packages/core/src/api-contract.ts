/**
 * Shapes that cross a process boundary as JSON. The answers of the API Service and the Data
 * Service are TypeBox schemas, one file per family: `device-contract.ts`, `telemetry-contract.ts`,
 * `user-contract.ts`, `dead-letter-contract.ts`, the errors in `error-codes.ts` and health in
 * `health.ts`. `answer-check.ts` is how a reader checks an answer against them.
 */

/** `/config.json` of the Frontend service: what the web app needs to know at run time. */
export interface WebRuntimeConfig {
  readonly region: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly identityPoolId: string;
  readonly iotWebSocketUrl: string;
  /** Where the browser reaches Cognito; absent on AWS (the regional endpoint). */
  readonly cognitoEndpoint?: string;
}
