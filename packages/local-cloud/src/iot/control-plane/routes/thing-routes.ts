/**
 * Control-plane routes of things and their principals (restJson1 paths of `@aws-sdk/client-iot`):
 * CreateThing, DescribeThing, UpdateThing, DeleteThing, ListThings, AttachThingPrincipal,
 * DetachThingPrincipal, ListThingPrincipals and ListPrincipalThings. Shapes follow the AWS IoT API
 * reference; the registry (registry/things.ts, registry/attachments.ts) decides.
 */
import type { IotRegistry } from '../../registry/iot-registry.ts';
import type { ThingRecord } from '../../registry/registry-store.ts';
import { intParam, paginate, requiredString, type RestRequest, type RestRoute } from '../rest-json.ts';

/** AWS: maxResults up to 250. */
const maxPage = 250;

/** The principal of the thing-principal operations travels in a header (Smithy `@httpHeader("x-amzn-principal")`). */
const principalHeader = (req: RestRequest) => requiredString(req.headers['x-amzn-principal'], 'principal (x-amzn-principal header)');

const describeThing = (t: ThingRecord) => ({
  defaultClientId: t.thingName,
  thingName: t.thingName,
  thingId: t.thingId,
  thingArn: t.thingArn,
  ...(t.thingTypeName ? { thingTypeName: t.thingTypeName } : {}),
  attributes: t.attributes,
  version: t.version,
});

export function thingRoutes(registry: IotRegistry): RestRoute[] {
  return [
    {
      method: 'POST',
      path: '/things/{thingName}',
      operation: (req) => {
        const body = req.json() as { thingTypeName?: string; attributePayload?: { attributes?: Record<string, string> } };
        const t = registry.createThing({
          thingName: req.labels.thingName as string,
          ...(body.thingTypeName ? { thingTypeName: body.thingTypeName } : {}),
          ...(body.attributePayload?.attributes ? { attributes: body.attributePayload.attributes } : {}),
        });
        return { thingName: t.thingName, thingArn: t.thingArn, thingId: t.thingId };
      },
    },
    {
      method: 'GET',
      path: '/things/{thingName}',
      operation: (req) => describeThing(registry.describeThing(req.labels.thingName as string)),
    },
    {
      method: 'PATCH',
      path: '/things/{thingName}',
      operation: (req) => {
        const body = req.json() as {
          attributePayload?: { attributes?: Record<string, string>; merge?: boolean };
          expectedVersion?: number;
        };
        registry.updateThing({
          thingName: req.labels.thingName as string,
          ...(body.attributePayload?.attributes ? { attributes: body.attributePayload.attributes } : {}),
          merge: body.attributePayload?.merge ?? false,
          ...(body.expectedVersion !== undefined ? { expectedVersion: body.expectedVersion } : {}),
        });
        return {};
      },
    },
    {
      method: 'DELETE',
      path: '/things/{thingName}',
      operation: (req) => registry.deleteThing(req.labels.thingName as string, intParam(req.query, 'expectedVersion')),
    },
    {
      method: 'GET',
      path: '/things',
      operation: (req) => {
        const filter = {
          ...(req.query.get('attributeName') ? { attributeName: req.query.get('attributeName') as string } : {}),
          ...(req.query.get('attributeValue') ? { attributeValue: req.query.get('attributeValue') as string } : {}),
          ...(req.query.get('thingTypeName') ? { thingTypeName: req.query.get('thingTypeName') as string } : {}),
        };
        const { page, next } = paginate(
          registry.listThings(filter),
          req.query.get('nextToken'),
          intParam(req.query, 'maxResults'),
          maxPage,
        );
        return {
          things: page.map((t) => ({
            thingName: t.thingName,
            thingArn: t.thingArn,
            ...(t.thingTypeName ? { thingTypeName: t.thingTypeName } : {}),
            attributes: t.attributes,
            version: t.version,
          })),
          ...(next ? { nextToken: next } : {}),
        };
      },
    },
    {
      method: 'PUT',
      path: '/things/{thingName}/principals',
      operation: (req) => registry.attachThingPrincipal(req.labels.thingName as string, principalHeader(req)),
    },
    {
      method: 'DELETE',
      path: '/things/{thingName}/principals',
      operation: (req) => registry.detachThingPrincipal(req.labels.thingName as string, principalHeader(req)),
    },
    {
      method: 'GET',
      path: '/things/{thingName}/principals',
      operation: (req) => {
        const principals = registry.listThingPrincipals(req.labels.thingName as string);
        const { page, next } = paginate(principals, req.query.get('nextToken'), intParam(req.query, 'maxResults'), maxPage);
        return { principals: page, ...(next ? { nextToken: next } : {}) };
      },
    },
    {
      method: 'GET',
      path: '/principals/things',
      operation: (req) => {
        const things = registry.listPrincipalThings(principalHeader(req));
        const { page, next } = paginate(things, req.query.get('nextToken'), intParam(req.query, 'maxResults'), maxPage);
        return { things: page, ...(next ? { nextToken: next } : {}) };
      },
    },
  ];
}
