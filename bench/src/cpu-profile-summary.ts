/**
 * Where the CPU time of a process went, from `.cpuprofile` files (`bench/tools/profile-hook.cjs` writes one per process):
 * self time summed by where the code lives (our workspaces by folder, libraries by package, Node's
 * own internals, garbage collection, idle). Used to write down the cost of each hop of the ingest
 * path (bench/README.md, "Where the time goes").
 *
 *   NODE_OPTIONS="--require $PWD/bench/tools/profile-hook.cjs" npm run bench -- --only fleet
 *   node --import tsx bench/src/cpu-profile-summary.ts /tmp/fleet-profiles/*.cpuprofile
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  /** Wall time the profile covers, ms. */
  readonly wallMs: number;
  /** Time not idle, ms. */
  readonly busyMs: number;
  /** Self time by place, ms, largest first (idle left out). */
  readonly places: ReadonlyArray<{ readonly place: string; readonly ms: number }>;
}

/** The place a frame's code lives: `node_modules/<package>`, a workspace folder, or Node's own. */
export function placeOf(url: string, functionName: string): string {
  if (url === '') return functionName === '' ? '(anonymous native)' : `(${functionName.replace(/^\(|\)$/g, '')})`;
  if (url.startsWith('node:')) return 'node internals';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? url);
  }
  const ours = /\/(packages|services)\/([^/]+)\/src\/(?:([^/]+)\/)?/.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}${ours[3] && !ours[3].includes('.') ? `/${ours[3]}` : ''}`;
  return basename(url);
}

export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const place = placeOf(node.callFrame.url, node.callFrame.functionName);
    selfMs.set(place, (selfMs.get(place) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const idle = selfMs.get('(idle)') ?? 0;
  selfMs.delete('(idle)');
  const wallMs = (profile.endTime - profile.startTime) / 1000;
  return {
    wallMs,
    busyMs: wallMs - idle,
    places: [...selfMs.entries()].map(([place, ms]) => ({ place, ms })).sort((a, b) => b.ms - a.ms),
  };
}

async function main(files: readonly string[]): Promise<void> {
  for (const file of files) {
    const summary = summarizeProfile(JSON.parse(await readFile(file, 'utf8')) as CpuProfile);
    console.log(`\n${basename(file)}: ${(summary.busyMs / 1000).toFixed(1)} s busy of ${(summary.wallMs / 1000).toFixed(1)} s`);
    for (const { place, ms } of summary.places.slice(0, 15)) {
      console.log(
        `  ${place.padEnd(40)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${((ms / summary.busyMs) * 100).toFixed(1).padStart(5)} %`,
      );
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
