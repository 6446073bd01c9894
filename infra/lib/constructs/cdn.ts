/**
 * Diagram group "CDN": a CloudFront distribution whose only origin is the API Gateway endpoint.
 * API responses are not cached and every viewer header except Host is forwarded (API Gateway
 * routes by its own host name); the web app's hashed assets are cached at the edge.
 */
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import { Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export interface CdnProps {
  /** Host name of the API Gateway endpoint. */
  readonly originDomainName: string;
  /**
   * Custom domain and its ACM certificate (us-east-1).
   * @default - the distribution answers on its `*.cloudfront.net` name only
   */
  readonly domain?: { readonly domainName: string; readonly certificateArn: string };
  /**
   * Path patterns served from the edge cache (content-hashed files of the web app).
   * @default ['/assets/*']
   */
  readonly cachedPaths?: readonly string[];
}

export class Cdn extends Construct {
  readonly distribution: cloudfront.Distribution;
  /** `https://` URL users open: the custom domain, else the CloudFront domain. */
  readonly publicUrl: string;

  constructor(scope: Construct, id: string, props: CdnProps) {
    super(scope, id);
    const origin = new origins.HttpOrigin(props.originDomainName, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    });
    const apiBehavior: cloudfront.BehaviorOptions = {
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };
    const assetBehavior: cloudfront.BehaviorOptions = {
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      compress: true,
    };
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Fleet: Route 53 → CloudFront → API Gateway',
      defaultBehavior: apiBehavior,
      additionalBehaviors: Object.fromEntries((props.cachedPaths ?? ['/assets/*']).map((p) => [p, assetBehavior])),
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      ...(props.domain
        ? {
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            domainNames: [props.domain.domainName],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
          }
        : {}),
    });
    this.publicUrl = `https://${props.domain?.domainName ?? this.distribution.distributionDomainName}`;

    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions::AwsSolutions-CFR3',
      reason:
        'API Gateway writes an access log entry for every request CloudFront forwards; CloudFront standard logs would need an ACL-enabled bucket for a duplicate record.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions::AwsSolutions-CFR1',
      reason: 'The dashboard is offered worldwide; access is controlled by Cognito, not by country.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions::AwsSolutions-CFR2',
      reason:
        'AWS WAF costs a fixed monthly fee per web ACL plus rules; API Gateway stage throttling and the JWT authorizer guard the origin for now.',
    });
    if (!props.domain) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions::AwsSolutions-CFR4',
        reason:
          'Without a custom domain CloudFront serves its default *.cloudfront.net certificate, which permits TLSv1; give domainName and a us-east-1 certificateArn to enforce TLS 1.2 (README: custom domain).',
      });
    }
  }
}
