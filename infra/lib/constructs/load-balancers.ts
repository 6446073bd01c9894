/**
 * Diagram group "Load Balancers": LB N = an internal ALB whose listener forwards to target group N,
 * which holds the IP targets of ECS service N. The ALBs span every subnet (an ALB needs two AZs);
 * subnet N is pinned on the ECS service instead. Only the API Gateway VPC link reaches them.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { ServiceDefinition } from '@fleet/core';
import { Construct } from 'constructs';

export interface LoadBalancersProps {
  readonly vpc: ec2.IVpc;
  /** The subnets the ALBs span (all of the VPC's subnets). */
  readonly subnets: readonly ec2.ISubnet[];
  /** One load balancer per service, numbered by `ServiceDefinition.index`. */
  readonly services: readonly ServiceDefinition[];
  /** Security group of the API Gateway VPC link, allowed to reach each listener. */
  readonly vpcLinkSecurityGroup: ec2.ISecurityGroup;
  /**
   * Port the listeners answer on (plain HTTP inside the VPC; TLS ends at CloudFront and API Gateway).
   * @default 80
   */
  readonly listenerPort?: number;
}

/** Load balancer N with its listener and target group. */
export interface ServiceLoadBalancer {
  readonly service: ServiceDefinition;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly listener: elbv2.ApplicationListener;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
}

export class LoadBalancers extends Construct {
  readonly byService: ReadonlyMap<ServiceDefinition['name'], ServiceLoadBalancer>;
  readonly listenerPort: number;

  constructor(scope: Construct, id: string, props: LoadBalancersProps) {
    super(scope, id);
    this.listenerPort = props.listenerPort ?? 80;
    const byService = new Map<ServiceDefinition['name'], ServiceLoadBalancer>();
    for (const service of props.services) {
      const n = service.index;
      const loadBalancer = new elbv2.ApplicationLoadBalancer(this, `LB${n}`, {
        vpc: props.vpc,
        internetFacing: false,
        vpcSubnets: { subnets: [...props.subnets] },
        dropInvalidHeaderFields: true,
      });
      const targetGroup = new elbv2.ApplicationTargetGroup(this, `TargetGroup${n}`, {
        vpc: props.vpc,
        targetType: elbv2.TargetType.IP,
        protocol: elbv2.ApplicationProtocol.HTTP,
        port: service.port,
        deregistrationDelay: Duration.seconds(15),
        // Liveness: ECS also replaces tasks its target group finds unhealthy, and readiness fails on
        // every task at once when a dependency is down (@fleet/core health.ts).
        healthCheck: {
          path: service.livenessPath,
          healthyHttpCodes: '200',
          interval: Duration.seconds(15),
          healthyThresholdCount: 2,
        },
      });
      const listener = loadBalancer.addListener(`Listener${n}`, {
        port: this.listenerPort,
        protocol: elbv2.ApplicationProtocol.HTTP,
        open: false,
        defaultTargetGroups: [targetGroup],
      });
      loadBalancer.connections.allowFrom(props.vpcLinkSecurityGroup, ec2.Port.tcp(this.listenerPort), 'API Gateway VPC link');
      Validations.of(loadBalancer).acknowledge({
        id: 'AwsSolutions::AwsSolutions-ELB2',
        reason:
          'Internal ALB reached only through API Gateway, whose stage access log records every request; ELB access logs would need the region-specific ELB account in a bucket policy, which an environment-agnostic stack cannot name.',
      });
      byService.set(service.name, { service, loadBalancer, listener, targetGroup });
    }
    this.byService = byService;
  }

  /** Load balancer of a service; throws for a service that has none. */
  of(name: ServiceDefinition['name']): ServiceLoadBalancer {
    const found = this.byService.get(name);
    if (!found) throw new Error(`LoadBalancers: no load balancer for service "${name}", have ${[...this.byService.keys()].join(', ')}`);
    return found;
  }
}
