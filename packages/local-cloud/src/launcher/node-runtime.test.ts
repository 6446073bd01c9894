import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkNodeRuntime, supportedNodeRange } from './node-runtime.ts';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

describe('Node.js runtime check', () => {
  it('supports Node 24 LTS and nothing older, as package.json says', () => {
    const range = supportedNodeRange(repoRoot);
    expect(checkNodeRuntime('24.21.0', range, '/x/node')).toEqual({ ok: true });
    expect(checkNodeRuntime('20.20.2', range, '/x/node').ok).toBe(false);
    expect(checkNodeRuntime('22.12.0', range, '/x/node').ok).toBe(false);
  });

  it('names the version found, the range needed and the way to get it', () => {
    const result = checkNodeRuntime('20.20.2', '^24.11.0', '/usr/bin/node');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toContain('Fleet needs Node.js ^24.11.0; this is Node.js 20.20.2 (/usr/bin/node).');
      expect(result.message).toContain('npm start');
    }
  });

  it('runs the test suite itself on a supported Node.js (the pinned one npm put on the PATH)', () => {
    expect(checkNodeRuntime(process.versions.node, supportedNodeRange(repoRoot), process.execPath)).toEqual({ ok: true });
  });
});
