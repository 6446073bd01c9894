/**
 * The telemetry bucket's CORS rule: the web app uploads an import's file with a presigned PUT
 * straight from the browser (data jobs), which S3 refuses without a rule for the page's origin.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthesizeFleet, testDomain } from './synthesize.ts';

const corsOf = (template: ReturnType<typeof synthesizeFleet>['stateful']) =>
  Object.values(template.findResources('AWS::S3::Bucket', { Properties: { CorsConfiguration: Match.anyValue() } })).map(
    (bucket) => (bucket as { Properties: { CorsConfiguration: { CorsRules: unknown[] } } }).Properties.CorsConfiguration.CorsRules,
  );

describe('telemetry bucket CORS', () => {
  it("allows the custom domain's page to PUT with a Content-Type and to GET", () => {
    const { stateful } = synthesizeFleet({ domain: testDomain });
    expect(corsOf(stateful)).toEqual([
      [
        {
          AllowedMethods: ['PUT', 'GET'],
          AllowedOrigins: [`https://${testDomain.domainName}`],
          AllowedHeaders: ['content-type'],
          ExposedHeaders: ['ETag'],
          MaxAge: 3600,
        },
      ],
    ]);
  });

  it('allows any origin without a custom domain (the CloudFront name is only known once deployed)', () => {
    const { stateful } = synthesizeFleet();
    expect(corsOf(stateful)[0]).toMatchObject([{ AllowedMethods: ['PUT', 'GET'], AllowedOrigins: ['*'] }]);
  });
});
