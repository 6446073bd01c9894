/** `GET /data/data-usage` (readDataUsage): volumes measured, cost modelled (data-usage.ts). */
import { DataUsageSchema, dataLifePaths, errorResponses } from '@fleet/core';
import { callerErrors, type RequireCaller } from '../caller-check.ts';
import type { DataApp } from '../http/answer-error.ts';
import type { DataUsageReader } from './data-usage.ts';

export function registerDataUsageRoute(app: DataApp, deps: { readonly caller: RequireCaller; readonly usage: DataUsageReader }): void {
  app.get(
    `/data${dataLifePaths.usage}`,
    {
      onRequest: deps.caller('readDataUsage', { fleetWide: true }),
      schema: { response: { 200: DataUsageSchema, ...errorResponses(...callerErrors) } },
    },
    () => deps.usage.read(),
  );
}
