/**
 * Functions that call another AWS service. AWS accepts them in CreateTopicRule, so they compile; the
 * local IoT Core stand-in has no such service to call, so evaluating one fails (never a silent
 * Undefined) and the rules engine runs the rule's error action, as AWS does when the call fails.
 */
import type { SqlFunctionEntry } from './function-entry.ts';
import { IotSqlEvaluationError } from './iot-sql-error.ts';

/** The error a call to `name` fails with: it names the function, the service and why it is unavailable. */
export function unavailableServiceError(name: string, service: string): IotSqlEvaluationError {
  return new IotSqlEvaluationError(
    `${name}() needs ${service}, which is not available to the local AWS IoT Core stand-in: the function is unavailable locally`,
    name,
  );
}

const needs = (name: string, service: string, min: number, max: number, since?: '2016-03-23'): SqlFunctionEntry => ({
  fn: () => {
    throw unavailableServiceError(name, service);
  },
  min,
  max,
  ...(since === undefined ? {} : { since }),
});

export const externalFunctions: Readonly<Record<string, SqlFunctionEntry>> = {
  // aws_lambda(functionArn, inputJson)
  aws_lambda: needs('aws_lambda', 'AWS Lambda', 2, 2),
  // get_dynamodb(tableName, partitionKeyName, partitionKeyValue[, sortKeyName, sortKeyValue], roleArn)
  get_dynamodb: needs('get_dynamodb', 'Amazon DynamoDB', 4, 6, '2016-03-23'),
  // get_secret(secretId, secretType[, key], roleArn)
  get_secret: needs('get_secret', 'AWS Secrets Manager', 3, 4),
  // get_thing_shadow(thingName[, shadowName], roleArn)
  get_thing_shadow: needs('get_thing_shadow', 'the AWS IoT Device Shadow service (with an IAM role)', 2, 3, '2016-03-23'),
  // get_registry_data(registryAPI, thingName, roleArn)
  get_registry_data: needs('get_registry_data', 'the AWS IoT registry (with an IAM role)', 3, 3),
  // machinelearning_predict(modelId, roleArn, record)
  machinelearning_predict: needs('machinelearning_predict', 'Amazon Machine Learning', 3, 3),
};
