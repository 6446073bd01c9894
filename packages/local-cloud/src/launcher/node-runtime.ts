/**
 * The Node.js runtime check of `npm start`: Fleet runs on the release `engines.node` of the repository's
 * package.json allows (the pinned `node` devDependency, which npm puts first on the PATH of every npm
 * script). Started by hand on another Node (`node packages/local-cloud/...` with the system's Node 20),
 * it stops with a message saying what it found, what it needs and how to get it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';

export type RuntimeCheck = { readonly ok: true } | { readonly ok: false; readonly message: string };

/** `engines.node` of the package.json in `repoRoot`. */
export function supportedNodeRange(repoRoot: string): string {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { engines?: { node?: string } };
  const range = manifest.engines?.node;
  if (!range || !semver.validRange(range))
    throw new Error(`${repoRoot}/package.json: engines.node is not a version range: ${JSON.stringify(range)}`);
  return range;
}

export function checkNodeRuntime(version: string, range: string, execPath: string): RuntimeCheck {
  if (semver.satisfies(version, range)) return { ok: true };
  return {
    ok: false,
    message: [
      `Fleet needs Node.js ${range}; this is Node.js ${version} (${execPath}).`,
      'Run it through npm (`npm start`), which uses the Node.js that `npm ci` installed into node_modules/.bin,',
      'or run `npm ci` first if node_modules/.bin/node is missing.',
    ].join('\n'),
  };
}
