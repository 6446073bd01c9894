/**
 * The local cloud's memory: the resident set (VmRSS) of every process of the platform's process
 * tree (the launcher, dynalite, s3rver, the three services), read from Linux's /proc. RSS counts
 * pages shared between processes once per process, so the sum slightly over-states the machine's
 * use; it is what each process would need alone, which is what a container limit sees.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';

export interface ProcessMemory {
  readonly pid: number;
  /** What the process is: `launcher`, `data service`, `dynalite-main`, … (see `processLabel`). */
  readonly label: string;
  readonly rssBytes: number;
}

export interface TreeMemory {
  /** Epoch ms of the sample. */
  readonly at: number;
  readonly totalRssBytes: number;
  readonly processes: readonly ProcessMemory[];
}

/** VmRSS of a /proc/<pid>/status text, in bytes; undefined when absent (a kernel thread, a zombie). */
export function parseVmRss(status: string): number | undefined {
  const kb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

/** The parent pid of a /proc/<pid>/stat line; the command name may hold spaces and parentheses, so read after the last `)`. */
export function parseParentPid(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}

/** `root` and every process below it, given each process's parent. */
export function treeOf(root: number, parents: ReadonlyMap<number, number>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const tree: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** The script a `node` argv runs: the first argument that is not an option or an option's value (`--import tsx`). */
function scriptOf(argv: readonly string[]): string | undefined {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--import' || a === '--require' || a === '-r' || a === '--loader') i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

/** A readable name from a process's argv: the service of `services/<name>/src/main.ts`, the launcher, else the script's name. */
export function processLabel(argv: readonly string[]): string {
  const script = scriptOf(argv) ?? argv[0] ?? '?';
  const service = /services\/(\w+)\/src\/main\.ts$/.exec(script)?.[1];
  if (service) return `${service} service`;
  if (/local-cloud\/src\/main\.ts$/.test(script)) return 'launcher';
  return basename(script).replace(/\.(ts|mts|mjs|js|cjs)$/, '');
}

/** Reads a /proc file; undefined when the process is gone. */
export const readOr = (path: string) => readFile(path, 'utf8').catch(() => undefined);

/** `rootPid` and every process below it now, read from /proc. */
export async function processTree(rootPid: number): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map(Number);
  const parents = new Map<number, number>();
  await Promise.all(
    pids.map(async (pid) => {
      const stat = await readOr(`/proc/${pid}/stat`);
      const ppid = stat === undefined ? undefined : parseParentPid(stat);
      if (ppid !== undefined) parents.set(pid, ppid);
    }),
  );
  return treeOf(rootPid, parents);
}

/** Samples the RSS of `rootPid` and all its descendants (processes that exit meanwhile are left out). */
export async function sampleTreeMemory(rootPid: number): Promise<TreeMemory> {
  const at = Date.now();
  const processes: ProcessMemory[] = [];
  for (const pid of await processTree(rootPid)) {
    const [status, cmdline] = await Promise.all([readOr(`/proc/${pid}/status`), readOr(`/proc/${pid}/cmdline`)]);
    const rssBytes = status === undefined ? undefined : parseVmRss(status);
    if (rssBytes === undefined) continue;
    processes.push({ pid, label: processLabel((cmdline ?? '').split('\0').filter(Boolean)), rssBytes });
  }
  return { at, totalRssBytes: processes.reduce((sum, p) => sum + p.rssBytes, 0), processes };
}
