/**
 * Topic rules: the platform's (read-only, from code) and the ones users define (AWS IoT rules named
 * `user_<name>`, see rules/topic-rules.ts). Reading needs `readRules`, changing `manageRules`; a
 * platform rule's name answers 403 RuleProtected to every change.
 *
 * `POST /api/rules/test` runs a statement on one sample message with core's evaluator, the one the
 * local rules engine runs: AWS has no "test a rule" API, so this answer is the same in both runtimes.
 */
import {
  bodyLimits,
  compileRule,
  errorResponses,
  IotSqlError,
  IotSqlEvaluationError,
  isPlatformRuleName,
  outputToBytes,
  rules as platformRules,
  RuleInputSchema,
  RuleListSchema,
  RuleNameParamSchema,
  RuleSchema,
  RuleTestInputSchema,
  RuleTestResultSchema,
  RuleUpdateSchema,
  ruleLimits,
  sqlErrorMessage,
  testPayloadBytes,
  type Rule,
  type RuleTestResult,
} from '@fleet/core';
import { Type } from 'typebox';
import { authOf, type Authorizer } from '../auth/authorize.ts';
import { apiError } from '../errors.ts';
import { bearer, bodyErrors, bodyLimitNote, paramErrors, fleetWideErrors, StrictObject } from '../http/schemas.ts';
import { wholeFleetOnly } from '../auth/device-scope.ts';
import type { TypedApp } from '../http/typed-app.ts';
import { platformRuleView, type TopicRules, type UserRuleContent } from '../rules/topic-rules.ts';

export interface RuleRoutesDeps {
  readonly authorizer: Authorizer;
  readonly topicRules: TopicRules;
}

const RuleParams = StrictObject({ name: RuleNameParamSchema });

/** Compiles a statement as the rules engine would, or answers 400 with the position of the problem. */
function compiled(sql: string) {
  try {
    return compileRule(sql);
  } catch (err) {
    if (err instanceof IotSqlError) throw apiError('ValidationError', sqlErrorMessage(err), { cause: err });
    throw err;
  }
}

/** Runs an evaluation; a function that needs another AWS service cannot run here, which is the statement's limit, not a fault. */
function evaluated<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof IotSqlEvaluationError) {
      throw apiError('ValidationError', `The test bench cannot run ${err.functionName}(): it calls another AWS service`, {
        cause: err,
      });
    }
    throw err;
  }
}

function refuseProtected(name: string): void {
  if (isPlatformRuleName(name)) {
    throw apiError('RuleProtected', `"${name}" is one of the platform's rules: they are defined in code and cannot be changed`);
  }
}

function checkedContent(content: UserRuleContent): UserRuleContent {
  compiled(content.sql);
  return content;
}

export function registerRuleRoutes(app: TypedApp, deps: RuleRoutesDeps): void {
  const fleetOnly = wholeFleetOnly('Topic rules (they see every message)');
  const { authorizer, topicRules } = deps;
  const changeErrors = [...fleetWideErrors, ...paramErrors, 'RuleNotFound', 'RuleProtected'] as const;

  app.get(
    '/api/rules',
    {
      onRequest: [authorizer.require('readRules'), fleetOnly],
      schema: {
        tags: ['rules'],
        summary: "The platform's topic rules (read-only) and the users' rules",
        security: bearer,
        response: { 200: RuleListSchema, ...errorResponses(...fleetWideErrors) },
      },
    },
    async () => ({ rules: await topicRules.list() }),
  );

  app.post(
    '/api/rules',
    {
      onRequest: [authorizer.require('manageRules'), fleetOnly],
      schema: {
        tags: ['rules'],
        summary: 'Create a topic rule: SQL and actions (republish under fleet/rules/, webhook, notify)',
        description:
          `${bodyLimitNote(bodyLimits.api)} A webhook's URL gets an AWS IoT topic rule destination: AWS sends the URL a ` +
          'confirmation token and delivers nothing before the receiver confirms (`destinationStatus` ENABLED).',
        security: bearer,
        body: RuleInputSchema,
        response: { 201: RuleSchema, ...errorResponses(...fleetWideErrors, ...bodyErrors, 'RuleExists', 'RuleProtected') },
      },
    },
    async (request, reply) => {
      const { name, ...content } = request.body;
      refuseProtected(name);
      const created = await topicRules.create(name, checkedContent(content));
      request.log.info({ rule: name, by: authOf(request).sub }, 'rule created');
      return reply.code(201).send(created);
    },
  );

  app.post(
    '/api/rules/test',
    {
      onRequest: [authorizer.require('readRules'), fleetOnly],
      schema: {
        tags: ['rules'],
        summary: 'Run a SQL statement on one sample message: the output, or the SQL error with its position',
        description: `${bodyLimitNote(bodyLimits.api)} A syntax error answers 400 ValidationError whose message starts \`SQL error at position <n>:\`.`,
        security: bearer,
        body: RuleTestInputSchema,
        response: { 200: RuleTestResultSchema, ...errorResponses(...fleetWideErrors, ...bodyErrors) },
      },
    },
    async (request): Promise<RuleTestResult> => {
      const { sql, topic, payload, clientId } = request.body;
      const bytes = testPayloadBytes(payload);
      if (bytes.length > ruleLimits.maxTestPayloadBytes) {
        throw apiError(
          'ValidationError',
          `The sample payload has ${bytes.length} bytes; at most ${ruleLimits.maxTestPayloadBytes} are tested`,
        );
      }
      const evaluation = evaluated(() =>
        compiled(sql).evaluate({ topic, payload: bytes, clientId: clientId ?? 'test-client', timestamp: Date.now() }),
      );
      if (!evaluation.matched) return { matched: false };
      const { output } = evaluation;
      if (output instanceof Uint8Array) return { matched: true, outputBase64: btoa(String.fromCharCode(...outputToBytes(output))) };
      return output === undefined ? { matched: true } : { matched: true, output };
    },
  );

  app.get(
    '/api/rules/:name',
    {
      onRequest: [authorizer.require('readRules'), fleetOnly],
      schema: {
        tags: ['rules'],
        summary: 'One rule',
        security: bearer,
        params: RuleParams,
        response: { 200: RuleSchema, ...errorResponses(...fleetWideErrors, ...paramErrors, 'RuleNotFound') },
      },
    },
    async (request): Promise<Rule> => {
      const { name } = request.params;
      const platform = platformRules.find((r) => r.name === name);
      if (platform) return platformRuleView(platform);
      const rule = isPlatformRuleName(name) ? undefined : await topicRules.get(name);
      if (!rule) throw apiError('RuleNotFound', `No rule named "${name}"`);
      return rule;
    },
  );

  app.put(
    '/api/rules/:name',
    {
      onRequest: [authorizer.require('manageRules'), fleetOnly],
      schema: {
        tags: ['rules'],
        summary: "Replace a user's rule (its SQL, actions and state)",
        description: bodyLimitNote(bodyLimits.api),
        security: bearer,
        params: RuleParams,
        body: RuleUpdateSchema,
        response: { 200: RuleSchema, ...errorResponses(...changeErrors, ...bodyErrors) },
      },
    },
    async (request) => {
      const { name } = request.params;
      refuseProtected(name);
      const replaced = await topicRules.replace(name, checkedContent(request.body));
      request.log.info({ rule: name, by: authOf(request).sub }, 'rule replaced');
      return replaced;
    },
  );

  app.delete(
    '/api/rules/:name',
    {
      onRequest: [authorizer.require('manageRules'), fleetOnly],
      schema: {
        tags: ['rules'],
        summary: "Delete a user's rule",
        security: bearer,
        params: RuleParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses(...changeErrors, ...bodyErrors) },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      refuseProtected(name);
      await topicRules.delete(name);
      request.log.info({ rule: name, by: authOf(request).sub }, 'rule deleted');
      return reply.code(204).send(null);
    },
  );

  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    app.post(
      `/api/rules/:name/${action}`,
      {
        onRequest: [authorizer.require('manageRules'), fleetOnly],
        schema: {
          tags: ['rules'],
          summary: `${enabled ? 'Enable' : 'Disable'} a user's rule`,
          security: bearer,
          params: RuleParams,
          response: { 200: RuleSchema, ...errorResponses(...changeErrors, ...bodyErrors) },
        },
      },
      async (request) => {
        const { name } = request.params;
        refuseProtected(name);
        const rule = await topicRules.setEnabled(name, enabled);
        request.log.info({ rule: name, enabled, by: authOf(request).sub }, `rule ${action}d`);
        return rule;
      },
    );
  }
}
