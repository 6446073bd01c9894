/**
 * The Node.js version the services run on: the exact `node` devDependency of the repository's
 * package.json, which `npm ci` installs for every npm script locally. The container images are built
 * `FROM node:<this>-slim`, so a task on ECS runs the same release as `npm start`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function pinnedNodeVersion(repositoryRoot: string): string {
  const file = join(repositoryRoot, 'package.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { devDependencies?: Record<string, string> };
  const version = manifest.devDependencies?.['node'];
  if (!version || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(`${file}: devDependencies.node must pin an exact Node.js version such as "24.21.0", got ${JSON.stringify(version)}`);
  }
  return version;
}
