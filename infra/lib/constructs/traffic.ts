/**
 * Diagram group "Traffic Management / Route 53": a public hosted zone (new, or an existing one
 * imported by id without a lookup) with A and AAAA alias records pointing at the CloudFront
 * distribution. Created only when a custom domain is configured; without one users open the
 * distribution's `*.cloudfront.net` name directly.
 */
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';

export interface TrafficProps {
  readonly domainName: string;
  readonly distribution: cloudfront.IDistribution;
  /**
   * Existing zone to add the records to.
   * @default - a new public hosted zone named `domainName`
   */
  readonly hostedZone?: { readonly id: string; readonly name: string };
}

export class Traffic extends Construct {
  readonly hostedZone: route53.IPublicHostedZone;
  readonly aliasRecords: readonly route53.RecordSet[];

  constructor(scope: Construct, id: string, props: TrafficProps) {
    super(scope, id);
    this.hostedZone = props.hostedZone
      ? route53.PublicHostedZone.fromPublicHostedZoneAttributes(this, 'Zone', {
          hostedZoneId: props.hostedZone.id,
          zoneName: props.hostedZone.name,
        })
      : new route53.PublicHostedZone(this, 'Zone', {
          zoneName: props.domainName,
          comment: 'Fleet: delegate this zone from the parent domain (README: custom domain)',
        });
    const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(props.distribution));
    const recordName = props.domainName;
    this.aliasRecords = [
      new route53.ARecord(this, 'AliasIpv4', { zone: this.hostedZone, recordName, target }),
      new route53.AaaaRecord(this, 'AliasIpv6', { zone: this.hostedZone, recordName, target }),
    ];
  }
}
