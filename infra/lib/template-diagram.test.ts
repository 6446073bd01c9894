import { describe, expect, it } from 'vitest';
import { parseD2 } from './d2.ts';
import { d2Key, templatesToD2 } from './template-diagram.ts';
import type { CfnTemplate } from './template-graph.ts';

const path = (stack: string, p: string) => ({ 'aws:cdk:path': `${stack}/${p}` });

/** Two stacks: a queue exported by one, a role in the other allowed to send to it through a policy. */
const templates: Record<string, CfnTemplate> = {
  data: {
    Resources: {
      Queue1: { Type: 'AWS::SQS::Queue', Metadata: path('data', 'Storage/Queue/Resource') },
      QueuePolicy1: {
        Type: 'AWS::SQS::QueuePolicy',
        Properties: { Queues: [{ Ref: 'Queue1' }] },
        Metadata: path('data', 'Storage/Queue/Policy/Resource'),
      },
    },
    Outputs: { QueueArn: { Value: { 'Fn::GetAtt': ['Queue1', 'Arn'] }, Export: { Name: 'data:QueueArn' } } },
  },
  app: {
    Resources: {
      Role1: { Type: 'AWS::IAM::Role', Metadata: path('app', 'Application/Task1/TaskRole/Resource') },
      Policy1: {
        Type: 'AWS::IAM::Policy',
        Properties: { Roles: [{ Ref: 'Role1' }], PolicyDocument: { Statement: [{ Resource: { 'Fn::ImportValue': 'data:QueueArn' } }] } },
        Metadata: path('app', 'Application/Task1/TaskRole/DefaultPolicy/Resource'),
      },
      Task1: {
        Type: 'AWS::ECS::TaskDefinition',
        Properties: { TaskRoleArn: { 'Fn::GetAtt': ['Role1', 'Arn'] } },
        Metadata: path('app', 'Application/Task1/Resource'),
      },
    },
  },
};

describe('templatesToD2', () => {
  const source = templatesToD2(templates);

  it('nests resources in their stack and construct containers', () => {
    expect(source).toContain('app.Application.Task1: "Task1\\nECS::TaskDefinition"');
    expect(source).toContain('app.Application.Task1.TaskRole: "TaskRole\\nIAM::Role"');
    expect(source).toContain('data.Storage.Queue: "Queue\\nSQS::Queue"');
  });

  it('draws references as arrows, following Fn::ImportValue across stacks and folding IAM policies into arrows', () => {
    expect(source).toContain('app.Application.Task1 -> app.Application.Task1.TaskRole');
    expect(source).toContain('app.Application.Task1.TaskRole -> data.Storage.Queue: "IAM policy"');
    expect(source).not.toMatch(/DefaultPolicy|QueuePolicy/);
  });

  it('produces D2 that the D2 compiler accepts', async () => {
    const parsed = await parseD2(source);
    expect(parsed.nodes).toContain('app.Application.Task1.TaskRole');
    expect(parsed.edges).toContainEqual({ src: 'app.Application.Task1.TaskRole', dst: 'data.Storage.Queue' });
  });

  it('makes safe keys of construct ids and avoids D2 keywords', () => {
    expect(d2Key('Rule-fleet_presence')).toBe('Rule_fleet_presence');
    expect(d2Key('label')).toBe('label_');
  });
});
