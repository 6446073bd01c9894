/**
 * Diagram group "API Gateway": an HTTP API whose routes come from the shared `gatewayRoutes`
 * (the local gateway uses the same table). Every route integrates, through one VPC link, with the
 * listener of its service's internal load balancer. Authorized routes use a Cognito JWT authorizer
 * (user pool access tokens, audience = the app client); their public paths get routes of their own
 * without authorizer. `/{proxy+}` does not match `/`, so the frontend is the `$default` route.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpAlbIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { httpTimeouts, type GatewayRoute, type ServiceName } from '@fleet/core';
import { Construct } from 'constructs';

export interface ApiGatewayProps {
  readonly vpc: ec2.IVpc;
  /** Subnets the VPC link places its network interfaces in. */
  readonly subnets: readonly ec2.ISubnet[];
  readonly vpcLinkSecurityGroup: ec2.ISecurityGroup;
  readonly routes: readonly GatewayRoute[];
  /** Listener of the load balancer in front of each service. */
  readonly listeners: (service: ServiceName) => elbv2.IApplicationListener;
  readonly userPool: cognito.IUserPool;
  readonly userPoolClient: cognito.IUserPoolClient;
  /**
   * Requests per second across the API before API Gateway answers 429.
   * @default 500 (burst 1000)
   */
  readonly rateLimit?: number;
}

/** `/api/*` → `/api/{proxy+}` (API Gateway greedy path variable). */
export function routeKeyPath(path: `/${string}/*`): string {
  return `${path.slice(0, -2)}/{proxy+}`;
}

export class ApiGateway extends Construct {
  readonly httpApi: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly vpcLink: apigw.VpcLink;
  readonly authorizer: HttpUserPoolAuthorizer;
  readonly accessLogGroup: logs.LogGroup;
  /** Host name of the API's default endpoint (CloudFront's origin). */
  readonly domainName: string;
  /** Route resources by route key, e.g. `ANY /api/{proxy+}` or `$default`. */
  readonly routes: ReadonlyMap<string, apigw.HttpRoute>;

  constructor(scope: Construct, id: string, props: ApiGatewayProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Fleet: CloudFront → API Gateway → load balancers 1–3',
      createDefaultStage: false,
    });
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit ?? 500, burstLimit: (props.rateLimit ?? 500) * 2 },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            time: '$context.requestTimeEpoch',
            method: '$context.httpMethod',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latency: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });
    this.domainName = `${this.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;

    this.vpcLink = new apigw.VpcLink(this, 'VpcLink', {
      vpc: props.vpc,
      subnets: { subnets: [...props.subnets] },
      securityGroups: [props.vpcLinkSecurityGroup],
    });
    this.authorizer = new HttpUserPoolAuthorizer('CognitoAuthorizer', props.userPool, {
      userPoolClients: [props.userPoolClient],
      identitySource: ['$request.header.Authorization'],
    });

    const routes = new Map<string, apigw.HttpRoute>();
    const addRoute = (routeKey: apigw.HttpRouteKey, integration: apigw.HttpRouteIntegration, authorized: boolean) => {
      const route = new apigw.HttpRoute(this, `Route${routeKey.key.replace(/[^A-Za-z0-9]+/g, '-')}`, {
        httpApi: this.httpApi,
        routeKey,
        integration,
        ...(authorized ? { authorizer: this.authorizer } : {}),
      });
      if (!authorized) {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions::AwsSolutions-APIG4',
          reason: `Public by design (packages/core gatewayRoutes): ${routeKey.key} serves the sign-in page, health checks or API documentation.`,
        });
      }
      routes.set(routeKey.key, route);
    };

    for (const route of props.routes) {
      // The local gateway answers 504 after the same time (httpTimeouts.upstream of @fleet/core).
      const integration = new HttpAlbIntegration(`Alb-${route.service}`, props.listeners(route.service), {
        vpcLink: this.vpcLink,
        timeout: Duration.millis(httpTimeouts.upstream),
      });
      if (route.path === '$default') {
        addRoute(apigw.HttpRouteKey.DEFAULT, integration, route.auth === 'cognito');
        continue;
      }
      addRoute(apigw.HttpRouteKey.with(routeKeyPath(route.path), apigw.HttpMethod.ANY), integration, route.auth === 'cognito');
      for (const publicPath of route.auth === 'cognito' ? (route.publicPaths ?? []) : []) {
        // isPublicPath() in core: the path itself and everything under it.
        addRoute(apigw.HttpRouteKey.with(publicPath, apigw.HttpMethod.ANY), integration, false);
        addRoute(apigw.HttpRouteKey.with(`${publicPath}/{proxy+}`, apigw.HttpMethod.ANY), integration, false);
      }
    }
    this.routes = routes;
  }
}
