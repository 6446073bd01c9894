import { describe, expect, it } from 'vitest';
import { parseFleetConfig } from './config.ts';

const read = (values: Record<string, unknown>) => (key: string) => values[key];
const cert = 'arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-1111-2222-3333-444455556666';

describe('parseFleetConfig', () => {
  it('defaults to stack prefix "fleet", no domain, endpoint looked up at deploy time', () => {
    expect(parseFleetConfig(read({}))).toEqual({ ok: true, config: { stackPrefix: 'fleet' } });
  });

  it('accepts a domain with a us-east-1 certificate and an existing zone', () => {
    const result = parseFleetConfig(
      read({
        domainName: 'Fleet.Example.com',
        certificateArn: cert,
        hostedZoneId: 'Z123',
        hostedZoneName: 'example.com',
        iotEndpoint: 'abc-ats.iot.eu-west-1.amazonaws.com',
      }),
    );
    expect(result).toEqual({
      ok: true,
      config: {
        stackPrefix: 'fleet',
        domain: { domainName: 'fleet.example.com', certificateArn: cert, hostedZone: { id: 'Z123', name: 'example.com' } },
        iotEndpoint: 'abc-ats.iot.eu-west-1.amazonaws.com',
      },
    });
  });

  it('rejects a certificate outside us-east-1, naming the region', () => {
    const result = parseFleetConfig(read({ domainName: 'fleet.example.com', certificateArn: cert.replace('us-east-1', 'eu-west-1') }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.join()).toMatch(/eu-west-1; CloudFront only accepts certificates from us-east-1/);
  });

  it('reports every problem at once', () => {
    const result = parseFleetConfig(
      read({ domainName: 'not a domain', hostedZoneId: 'Z1', stackPrefix: '9bad', iotEndpoint: 'example.com' }),
    );
    expect(!result.ok && result.problems).toHaveLength(5);
  });

  it("takes the Data Service's flush spacing from -c (text) or cdk.json (a number), by the service's own rule", () => {
    expect(parseFleetConfig(read({ ingestFlushSpacingMs: '100' }))).toEqual({
      ok: true,
      config: { stackPrefix: 'fleet', dataServiceTuning: { flushSpacingMs: 100 } },
    });
    expect(parseFleetConfig(read({ ingestFlushSpacingMs: 0 }))).toMatchObject({
      ok: true,
      config: { dataServiceTuning: { flushSpacingMs: 0 } },
    });
    expect(parseFleetConfig(read({ ingestFlushSpacingMs: 'fast' }))).toEqual({
      ok: false,
      problems: ['context "ingestFlushSpacingMs" must be an integer from 0 to 5000 (milliseconds), received "fast"'],
    });
  });

  it('rejects a certificate or zone given without a domain', () => {
    expect(parseFleetConfig(read({ certificateArn: cert })).ok).toBe(false);
  });

  it('rejects a domain outside the given hosted zone', () => {
    const result = parseFleetConfig(
      read({ domainName: 'fleet.example.org', certificateArn: cert, hostedZoneId: 'Z1', hostedZoneName: 'example.com' }),
    );
    expect(!result.ok && result.problems).toEqual(['"domainName" fleet.example.org is not inside hosted zone "example.com"']);
  });
});
