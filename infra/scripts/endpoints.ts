/**
 * `npm run endpoints -w infra`: after `npm run deploy`, writes the endpoints file of the deployed
 * stack (core's schema, which `npm start` writes the local cloud's in) and downloads Amazon Root CA 1 next to it.
 * Usage: node --import tsx scripts/endpoints.ts [cdk-outputs.json] [../.fleet/aws/endpoints.json] [stackPrefix]
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeEndpointsFile } from '@fleet/core/endpoints-file';
import type { StackOutputs } from '../lib/deployed-endpoints.ts';
import { amazonRootCa1Url, endpointsFromOutputs } from '../lib/deployed-endpoints.ts';

const [outputsFile = 'cdk-outputs.json', target = '../.fleet/aws/endpoints.json', stackPrefix = 'fleet'] = process.argv.slice(2);
const outputs = JSON.parse(await readFile(outputsFile, 'utf8')) as StackOutputs;
const caFile = resolve(join(dirname(target), 'AmazonRootCA1.pem'));
const endpoints = endpointsFromOutputs(outputs, stackPrefix, caFile);
await mkdir(dirname(target), { recursive: true });
if (!existsSync(caFile)) {
  const response = await fetch(amazonRootCa1Url);
  if (!response.ok) throw new Error(`download of ${amazonRootCa1Url} answered ${response.status}`);
  await writeFile(caFile, await response.text());
}
await writeEndpointsFile(target, endpoints);
console.log(`wrote ${resolve(target)}: npm run simulate -- --endpoints ${resolve(target)} --email <you> --password <yours>`);
