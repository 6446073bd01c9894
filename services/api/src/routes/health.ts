import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { errorResponses, HealthReportSchema, LivenessSchema, type DependencyProbe, type HealthProbe } from '@fleet/core';
import type { ApiClients } from '../aws-clients.ts';
import type { TypedApp } from '../http/typed-app.ts';

/**
 * What the API Service needs to serve: its own tables. DescribeTable costs no capacity. Cognito,
 * IoT and the Data Service are not probed: their outage fails only the routes that use them, and
 * chaining the Data Service's readiness would report its outage twice.
 */
export function apiDependencies(clients: Pick<ApiClients, 'dynamo'>, tables: readonly string[]): DependencyProbe[] {
  return tables.map((table) => ({
    name: `dynamodb:${table}`,
    probe: (abortSignal) => clients.dynamo.send(new DescribeTableCommand({ TableName: table }), { abortSignal }),
  }));
}

/**
 * Liveness for the ECS container check and the ALB target group, readiness for people and
 * monitors (see @fleet/core health.ts for why they differ). Both public, no auth.
 */
export function registerHealthRoutes(app: TypedApp, deps: { readonly health: HealthProbe }): void {
  app.get(
    '/api/health/live',
    {
      // Load balancers ask every few seconds: log only problems.
      logLevel: 'warn',
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process answers',
        response: { 200: LivenessSchema, ...errorResponses('InternalError') },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/api/health',
    {
      logLevel: 'warn',
      schema: {
        tags: ['health'],
        summary: 'Readiness: 503 naming the dependency (DynamoDB table) that cannot serve',
        response: { ...errorResponses('InternalError'), 200: HealthReportSchema, 503: HealthReportSchema },
      },
    },
    async (_request, reply) => {
      const report = await deps.health.report();
      return reply.code(report.status === 'ok' ? 200 : 503).send(report);
    },
  );
}
