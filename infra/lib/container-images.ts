/**
 * Container images of the ECS services: built by `cdk deploy` from the one `services/Dockerfile`,
 * with the service's values of `@fleet/core`'s `services` as build arguments, and the repository
 * root as context (the services import `packages/core`). Synthesis only stages
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

/** The Dockerfile of every service image, relative to the repository root. */
export const serviceDockerfile = 'services/Dockerfile';

/** What `services/Dockerfile` is built with for one service. */
export function imageBuildArgs(repositoryRoot: string, service: ServiceDefinition): Record<string, string> {
  // The Dockerfile finds the service's code at services/${SERVICE}.
  if (service.folder !== `services/${service.name}`) {
    throw new Error(`service "${service.name}" lives in ${service.folder}; services/Dockerfile expects services/${service.name}`);
  }
  return {
    // The base image is the Node.js release the repository pins, the one `npm start` runs on.
    NODE_VERSION: pinnedNodeVersion(repositoryRoot),
    SERVICE: service.name,
    PORT: String(service.port),
    LIVENESS_PATH: service.livenessPath,
  };
}

export function containerImageFor(repositoryRoot: string, service: ServiceDefinition): ecs.ContainerImage {
  return ecs.ContainerImage.fromAsset(repositoryRoot, {
    file: serviceDockerfile,
    exclude: [...imageContextExcludes],
    ignoreMode: IgnoreMode.DOCKER,
    buildArgs: imageBuildArgs(repositoryRoot, service),
    // Matches the task definitions' X86_64 runtime platform, whatever machine builds the image.
    platform: Platform.LINUX_AMD64,
  });
}
