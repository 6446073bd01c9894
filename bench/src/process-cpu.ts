/**
 * CPU time (user + system) of every process of the platform's tree, read from /proc/<pid>/stat, so a
 * phase's cost can be written per request and per process. On a machine shared with other work the
 * request rate moves with the load; the CPU a request costs moves much less (bench/README.md).
 */
import { processLabel, processTree, readOr } from './process-memory.ts';

export interface ProcessCpu {
  readonly pid: number;
  readonly label: string;
  /** User + system CPU since the process started, ms. */
  readonly cpuMs: number;
}

/** Linux reports utime and stime in USER_HZ ticks, 100 per second on every architecture Node runs on. */
const msPerTick = 10;

/** utime + stime of a /proc/<pid>/stat line (fields 14 and 15), ms; read after the last `)`, as the name may hold one. */
export function parseCpuMs(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isInteger(utime) && Number.isInteger(stime) ? (utime + stime) * msPerTick : undefined;
}

/** The CPU used so far by `rootPid` and each of its descendants (processes that exit meanwhile are left out). */
export async function sampleTreeCpu(rootPid: number): Promise<ProcessCpu[]> {
  const processes: ProcessCpu[] = [];
  for (const pid of await processTree(rootPid)) {
    const [stat, cmdline] = await Promise.all([readOr(`/proc/${pid}/stat`), readOr(`/proc/${pid}/cmdline`)]);
    const cpuMs = stat === undefined ? undefined : parseCpuMs(stat);
    if (cpuMs === undefined) continue;
    processes.push({ pid, label: processLabel((cmdline ?? '').split('\0').filter(Boolean)), cpuMs });
  }
  return processes;
}

/** CPU each process used between two samples, by label, ms (a process in only one sample is left out). */
export function cpuBetween(before: readonly ProcessCpu[], after: readonly ProcessCpu[]): Record<string, number> {
  const start = new Map(before.map((p) => [p.pid, p.cpuMs]));
  const used: Record<string, number> = {};
  for (const p of after) {
    const from = start.get(p.pid);
    if (from !== undefined) used[p.label] = (used[p.label] ?? 0) + (p.cpuMs - from);
  }
  return used;
}
