/**
 * Template tests of who may do what and how long and how much a request may take: the user pool's
 * sign-up and invitation settings, the API task role's rights for invitations and the first-admin
 * claim, and the time limits the local gateway and services share with API Gateway and the ALBs.
 */
import { Match } from 'aws-cdk-lib/assertions';
import type { Template } from 'aws-cdk-lib/assertions';
import {
  auditRetentionDays,
  auditTable,
  dashboardsTable,
  devicePolicyName,
  generatedCertificateCommonName,
  httpTimeouts,
  platformStateTable,
  topics,
} from '@fleet/core';
import { describe, expect, it } from 'vitest';
import { synthesizeFleet } from './synthesize.ts';

const { platform, stateful } = synthesizeFleet();

type Resources = Record<string, { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any> }>;
const resourcesOf = (t: Template) => t.toJSON().Resources as Resources;
const idAt = (t: Template, suffix: string): string => {
  const found = Object.entries(resourcesOf(t)).filter(([, r]) => String(r.Metadata?.['aws:cdk:path'] ?? '').endsWith(suffix));
  if (found.length !== 1) throw new Error(`expected one resource at …${suffix}, found ${found.length}`);
  return found[0]![0];
};
const apiTaskStatements = (): any[] =>
  Object.values(resourcesOf(platform))
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        (r.Properties?.Roles ?? []).some((x: any) => x.Ref === idAt(platform, 'Application/Task2/TaskRole/Resource')),
    )
    .flatMap((p) => p.Properties!.PolicyDocument.Statement);

describe('users and roles on AWS', () => {
  it('keeps sign-up open (new users are viewers) and mails invitations with the temporary password', () => {
    stateful.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: {
        AllowAdminCreateUserOnly: false,
        InviteMessageTemplate: {
          EmailSubject: 'Your Fleet account',
          EmailMessage: Match.stringLikeRegexp('\\{username\\}.*\\{####\\}'),
        },
      },
    });
  });

  it('lets the API task invite users (AdminCreateUser), change groups and create the groups that grant devices, on the user pool only', () => {
    const cognito = apiTaskStatements().find((s) => [s.Action].flat().includes('cognito-idp:AdminCreateUser'));
    expect(cognito.Action).toEqual(
      expect.arrayContaining([
        'cognito-idp:AdminCreateUser',
        'cognito-idp:AdminAddUserToGroup',
        'cognito-idp:AdminRemoveUserFromGroup',
        'cognito-idp:CreateGroup',
        'cognito-idp:ListUsersInGroup',
      ]),
    );
    expect(cognito.Action).not.toContain('cognito-idp:DeleteGroup');
    expect(JSON.stringify(cognito.Resource)).toContain(idAt(stateful, 'Auth/UserPool/Resource'));
  });

  it("lets the API task read, claim and complete the first admin's place in the platform-state table, and probe it; nothing more", () => {
    const tableId = idAt(stateful, `Storage/${pascal(platformStateTable.id)}/Resource`);
    const statements = apiTaskStatements().filter((s) => JSON.stringify(s.Resource).includes(tableId));
    expect(statements.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      'dynamodb:DescribeTable',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    // No other task may touch it.
    for (const n of [1, 3]) {
      const others = Object.values(resourcesOf(platform)).filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' &&
          (r.Properties?.Roles ?? []).some((x: any) => x.Ref === idAt(platform, `Application/Task${n}/TaskRole/Resource`)),
      );
      expect(JSON.stringify(others)).not.toContain(tableId);
    }
  });
});

describe('the way back to the device on AWS (shadows and jobs)', () => {
  const actionsOn = (action: string) => apiTaskStatements().filter((s) => [s.Action].flat().includes(action));

  it("lets the API task read, change and delete devices' shadows, on things only", () => {
    const [shadow, ...more] = actionsOn('iot:UpdateThingShadow');
    expect(more).toEqual([]);
    expect([shadow.Action].flat().sort()).toEqual(['iot:DeleteThingShadow', 'iot:GetThingShadow', 'iot:UpdateThingShadow']);
    expect(JSON.stringify(shadow.Resource)).toMatch(/:thing\/\*"/);
    expect(JSON.stringify(shadow.Resource)).not.toContain(':topic/');
  });

  it('lets the API task create, read and cancel jobs on jobs, things and thing groups; it publishes on no topic', () => {
    const [jobs, ...more] = actionsOn('iot:CreateJob');
    expect(more).toEqual([]);
    expect([jobs.Action].flat().sort()).toEqual([
      'iot:CancelJob',
      'iot:CancelJobExecution',
      'iot:CreateJob',
      'iot:DescribeJob',
      'iot:DescribeJobExecution',
      'iot:DescribeThingGroup',
      'iot:GetJobDocument',
      'iot:ListJobExecutionsForThing',
    ]);
    const resources = JSON.stringify(jobs.Resource);
    for (const kind of ['job', 'thing', 'thinggroup']) expect(resources).toMatch(new RegExp(`:${kind}\\/\\*"`));
    expect(actionsOn('iot:Publish')).toEqual([]);
  });

  it('lets the API task list and add the things of thing groups (the device list filter and bulk add), and create a group, nothing more', () => {
    const [groups, ...more] = actionsOn('iot:AddThingToThingGroup');
    expect(more).toEqual([]);
    expect([groups.Action].flat().sort()).toEqual(['iot:AddThingToThingGroup', 'iot:CreateThingGroup', 'iot:ListThingsInThingGroup']);
    const resources = JSON.stringify(groups.Resource);
    for (const kind of ['thing', 'thinggroup']) expect(resources).toMatch(new RegExp(`:${kind}\\/\\*"`));
    expect(actionsOn('iot:RemoveThingFromThingGroup')).toEqual([]);
    expect(actionsOn('iot:DeleteThingGroup')).toEqual([]);
    // The pickers' list of groups (GET /api/thing-groups): ListThingGroups supports no resource type.
    const [list] = actionsOn('iot:ListThingGroups');
    expect(list.Resource).toBe('*');
  });

  it("lets the API task sign CSRs (never make keys: CreateKeysAndCertificate) and rotate and revoke certificates on certificates only, never list the account's", () => {
    const [issue, ...moreIssue] = actionsOn('iot:CreateCertificateFromCsr');
    expect(moreIssue).toEqual([]);
    expect([issue.Action].flat().sort()).toEqual(['iot:AttachPolicy', 'iot:CreateCertificateFromCsr', 'iot:DetachPolicy']);
    expect(actionsOn('iot:CreateKeysAndCertificate')).toEqual([]);
    const [certs, ...moreCerts] = actionsOn('iot:UpdateCertificate');
    expect(moreCerts).toEqual([]);
    expect([certs.Action].flat().sort()).toEqual(['iot:DeleteCertificate', 'iot:DescribeCertificate', 'iot:UpdateCertificate']);
    expect(JSON.stringify(certs.Resource)).toMatch(/:cert\/\*"/);
    expect(actionsOn('iot:ListThingPrincipals')).toHaveLength(1);
    expect(actionsOn('iot:ListCertificates')).toEqual([]);
  });

  it("gives devices their own shadow and jobs topics through the thing-name policy variable, nobody else's", () => {
    const policy = Object.values(resourcesOf(platform)).find(
      (r) => r.Type === 'AWS::IoT::Policy' && r.Properties?.PolicyName === devicePolicyName,
    );
    const text = JSON.stringify(policy?.Properties?.PolicyDocument);
    for (const kind of ['topic', 'topicfilter']) {
      for (const service of ['shadow', 'jobs'])
        expect(text).toContain(`:${kind}/$aws/things/\${iot:Connection.Thing.ThingName}/${service}/*`);
    }
    expect(text).not.toContain('$aws/things/*');
  });

  it("lets a device publish its telemetry over HTTPS through its certificate's common name, never with a CreateKeysAndCertificate certificate", () => {
    const policy = Object.values(resourcesOf(platform)).find(
      (r) => r.Type === 'AWS::IoT::Policy' && r.Properties?.PolicyName === devicePolicyName,
    );
    const statements = (policy?.Properties?.PolicyDocument as { Statement: { Effect: string; Action: unknown }[] }).Statement;
    const publishes = (effect: string, topic: string) =>
      statements.filter((s) => s.Effect === effect && s.Action === 'iot:Publish' && JSON.stringify(s).includes(`:topic/${topic}`));
    expect(publishes('Allow', topics.telemetry('${iot:Certificate.Subject.CommonName}'))).toHaveLength(1);
    expect(publishes('Deny', topics.telemetry(generatedCertificateCommonName))).toHaveLength(1);
  });
});

describe('time limits shared with the local gateway and services', () => {
  it("gives every API Gateway integration the local gateway's upstream timeout", () => {
    const integrations = Object.values(resourcesOf(platform)).filter((r) => r.Type === 'AWS::ApiGatewayV2::Integration');
    expect(integrations.length).toBeGreaterThan(0);
    for (const integration of integrations) expect(integration.Properties!['TimeoutInMillis']).toBe(httpTimeouts.upstream);
  });

  it("closes idle load balancer connections before the services' keep-alive ends, as AWS advises for targets", () => {
    for (const n of [1, 2, 3]) {
      const attributes = resourcesOf(platform)[idAt(platform, `LoadBalancers/LB${n}/Resource`)]!.Properties!['LoadBalancerAttributes'];
      expect(attributes).toContainEqual({ Key: 'idle_timeout.timeout_seconds', Value: String(httpTimeouts.loadBalancerIdle / 1000) });
    }
    expect(httpTimeouts.serviceKeepAlive).toBeGreaterThan(httpTimeouts.loadBalancerIdle);
  });
});

describe('dashboards on AWS', () => {
  const tableId = () => idAt(stateful, `Storage/${pascal(dashboardsTable.id)}/Resource`);

  it('creates the dashboards table keyed by id with the byOwner and sparse byShared indexes', () => {
    expect(resourcesOf(stateful)[tableId()]!.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: expect.arrayContaining([
        expect.objectContaining({
          IndexName: 'byOwner',
          KeySchema: [
            { AttributeName: 'owner', KeyType: 'HASH' },
            { AttributeName: 'updatedAt', KeyType: 'RANGE' },
          ],
        }),
        expect.objectContaining({
          IndexName: 'byShared',
          KeySchema: [
            { AttributeName: 'sharedKey', KeyType: 'HASH' },
            { AttributeName: 'updatedAt', KeyType: 'RANGE' },
          ],
        }),
      ]),
    });
  });

  it('lets the API task get, put, delete and query dashboards (on both indexes) and probe the table (fleet-app.test.ts: no other task touches it)', () => {
    const statements = apiTaskStatements().filter((s) => JSON.stringify(s.Resource).includes(tableId()));
    expect(statements.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:DescribeTable',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
    ]);
    expect(JSON.stringify(statements)).toContain('/index/byOwner');
    expect(JSON.stringify(statements)).toContain('/index/byShared');
  });

  it("tells the API task the table's name in DASHBOARDS_TABLE", () => {
    platform.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({ Environment: Match.arrayWith([Match.objectLike({ Name: 'DASHBOARDS_TABLE' })]) }),
      ]),
    });
  });
});

/** `fleet-platform-state` → `FleetPlatformState`, the construct id the storage construct gives a table. */
function pascal(id: string): string {
  return id
    .split('-')
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}

describe('the audit trail on AWS', () => {
  it('keeps the audit table on demand, with point-in-time recovery, TTL on expiresAt and retained with the stack', () => {
    const tableId = idAt(stateful, `Storage/${pascal(auditTable.id)}/Resource`);
    const table = resourcesOf(stateful)[tableId] as { Properties: Record<string, any>; DeletionPolicy?: string };
    expect(table.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    expect(table.DeletionPolicy).toBe('Retain');
    expect(auditRetentionDays).toBe(400);
  });

  // That no other task touches it: fleet-app.test.ts, "lets each table be touched by its owner only".
  it('lets the API task put and query audit entries, never change or delete one', () => {
    const tableId = idAt(stateful, `Storage/${pascal(auditTable.id)}/Resource`);
    const statements = apiTaskStatements().filter((s) => JSON.stringify(s.Resource).includes(tableId));
    expect(statements.flatMap((s) => [s.Action].flat()).sort()).toEqual(['dynamodb:DescribeTable', 'dynamodb:PutItem', 'dynamodb:Query']);
  });

  it("gives the API task the audit table's name in AUDIT_TABLE", () => {
    const task = Object.values(resourcesOf(platform)).find(
      (r) => r.Type === 'AWS::ECS::TaskDefinition' && JSON.stringify(r.Properties).includes('AUDIT_TABLE'),
    );
    const env = (task?.Properties?.ContainerDefinitions as any[])[0].Environment as { Name: string; Value: unknown }[];
    expect(JSON.stringify(env.find((e) => e.Name === 'AUDIT_TABLE')?.Value)).toContain('FleetAudit');
  });
});
