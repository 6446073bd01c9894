/**
 * Composition root of the CDK app: the only place that reads CDK context or the environment.
 * Context keys (cdk.json or `-c key=value`): stackPrefix, domainName, certificateArn,
 * hostedZoneId, hostedZoneName, iotEndpoint — see infra/README.md.
 */
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { parseFleetConfig } from '../lib/config.ts';
import { createFleet } from '../lib/fleet-app.ts';

const app = new App();
const parsed = parseFleetConfig((key) => app.node.tryGetContext(key));
if (!parsed.ok) {
  throw new Error(`Fleet CDK app: invalid context\n - ${parsed.problems.join('\n - ')}`);
}
createFleet(app, { config: parsed.config, repositoryRoot: fileURLToPath(new URL('../../', import.meta.url)) });
app.synth();
