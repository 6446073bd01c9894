import { Type } from 'typebox';
import type { TypedApp } from '../http/typed-app.ts';

/** The load balancer's health check (target group health path in `services` of core). No auth. */
export function registerHealthRoute(app: TypedApp): void {
  app.get(
    '/api/health',
    {
      // Load balancers ask every few seconds: log only problems.
      logLevel: 'warn',
      schema: {
        tags: ['health'],
        summary: 'Liveness of the API Service',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
}
