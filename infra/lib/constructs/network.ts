/**
 * Diagram group "Network Layer / VPC Network": Internet Gateway → route table → security groups →
 * subnets 1–3. No NAT gateway: the subnets are public, tasks get a public IP for AWS APIs that
 * have no free gateway endpoint (ECR, CloudWatch Logs, SQS, IoT, Cognito), and their security
 * groups admit nothing from the internet. S3 and DynamoDB traffic takes the free gateway endpoints.
 */
import { Fn, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface NetworkProps {
  /**
   * Number of subnets, one per AZ; subnet N hosts ECS service N.
   * @default 3
   */
  readonly subnetCount?: number;
  /**
   * IPv4 range of the VPC.
   * @default '10.40.0.0/16'
   */
  readonly cidr?: string;
}

export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  /** Subnet N of the diagram is `subnets[N - 1]`. */
  readonly subnets: readonly ec2.ISubnet[];
  /** Attached to the API Gateway VPC link: the only source the load balancers accept. */
  readonly vpcLinkSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps = {}) {
    super(scope, id);
    const subnetCount = props.subnetCount ?? 3;
    if (!Number.isInteger(subnetCount) || subnetCount < 2 || subnetCount > 6) {
      throw new Error(`Network: subnetCount must be an integer in 2..6 (an ALB needs two AZs), received ${subnetCount}`);
    }
    // An environment-agnostic stack only knows 2 AZs; Fn::GetAZs picks the region's first N at deploy time.
    const availabilityZones = Array.from({ length: subnetCount }, (_, i) => Fn.select(i, Fn.getAzs()));
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr ?? '10.40.0.0/16'),
      availabilityZones,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false }],
      restrictDefaultSecurityGroup: false,
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });
    this.subnets = this.vpc.publicSubnets;

    // Rejected traffic only: enough to investigate a blocked flow, a fraction of the cost of ALL.
    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });

    this.vpcLinkSecurityGroup = new ec2.SecurityGroup(this, 'VpcLinkSecurityGroup', {
      vpc: this.vpc,
      description: 'API Gateway VPC link: reaches the internal load balancers only',
      allowAllOutbound: false,
    });
  }

  /**
   * The security group of ECS service N: nothing inbound until a load balancer registers it as a
   * target; outbound HTTPS only (AWS APIs, through the IGW or the gateway endpoints).
   */
  createServiceSecurityGroup(index: number, description: string): ec2.SecurityGroup {
    const sg = new ec2.SecurityGroup(this, `ServiceSecurityGroup${index}`, {
      vpc: this.vpc,
      description,
      allowAllOutbound: false,
    });
    sg.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs over HTTPS');
    return sg;
  }

  /** Subnet N of the diagram (1-based). */
  subnet(index: number): ec2.ISubnet {
    const subnet = this.subnets[index - 1];
    if (!subnet) throw new Error(`Network: no subnet ${index}, expected 1..${this.subnets.length}`);
    return subnet;
  }
}
