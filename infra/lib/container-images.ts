/**
 * Container images of the ECS services: built by `cdk deploy` from `services/<name>/Dockerfile`
 * with the repository root as context (the services import `packages/core`). Synthesis only stages
 * the context (no Docker needed); the excludes keep node_modules, build output and unrelated
 * workspaces out of the asset so its hash changes only when the image would.
 */
import { IgnoreMode } from 'aws-cdk-lib';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { ServiceDefinition } from '@fleet/core';
import { pinnedNodeVersion } from './node-runtime.ts';

/** Docker-ignore patterns (Docker semantics: later `!` patterns re-include). */
export const imageContextExcludes: readonly string[] = [
  '**/node_modules',
  '**/cdk.out',
  '**/.cdk',
  '**/dist',
  '**/.data',
  '**/*.test.ts',
  '.git',
  // Workspaces no image needs; their package.json stays so that `npm ci` sees the lockfile's workspaces.
  'infra/**',
  '!infra/package.json',
  'e2e/**',
  '!e2e/package.json',
  'bench/**',
  '!bench/package.json',
  'packages/local-cloud/**',
  '!packages/local-cloud/package.json',
  'packages/simulator/**',
  '!packages/simulator/package.json',
];

export function containerImageFor(repositoryRoot: string, service: ServiceDefinition): ecs.ContainerImage {
  return ecs.ContainerImage.fromAsset(repositoryRoot, {
    file: `${service.folder}/Dockerfile`,
    exclude: [...imageContextExcludes],
    ignoreMode: IgnoreMode.DOCKER,
    // The base image is the Node.js release the repository pins, the one `npm start` runs on.
    buildArgs: { NODE_VERSION: pinnedNodeVersion(repositoryRoot) },
    // Matches the task definitions' X86_64 runtime platform, whatever machine builds the image.
    platform: Platform.LINUX_AMD64,
  });
}
