/**
 * Writes where a Node process's memory is, every 5 s and at exit, into
 * `<tmpdir>/fleet-memory/<entry>-<pid>.json`: `process.memoryUsage()` (RSS, V8 heap, external,
 * array buffers), `v8.getHeapStatistics()`, each V8 heap space (new, old, code, large object, …),
 * and the kernel's split of the resident set (anonymous vs file-backed pages, `/proc/self/status`).
 * Like `profile-hook.cjs`, it rides on NODE_OPTIONS, which reaches every process of the platform:
 *
 *   NODE_OPTIONS="--require $PWD/bench/tools/memory-hook.cjs" npm run bench -- --only fleet
 *   node --import tsx bench/src/memory-summary.ts /tmp/fleet-memory/*.json
 *
 * (The folder is fixed: the launcher gives a service only the host variables a container has too.)
 */
const v8 = require('node:v8');
const { writeFileSync, mkdirSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { basename, join } = require('node:path');

const dir = join(tmpdir(), 'fleet-memory');
const entry = process.argv.slice(1).find((a) => /\.(ts|mts|mjs|js)$/.test(a) && !a.includes('node_modules')) || 'node';
const file = join(dir, `${basename(entry)}-${process.pid}.json`);
const mib = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;

function kernelSplit() {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { rssAnon: mib(field('RssAnon') * 1024), rssFile: mib(field('RssFile') * 1024), threads: field('Threads') };
  } catch {
    return undefined;
  }
}

function write() {
  const usage = process.memoryUsage();
  const heap = v8.getHeapStatistics();
  const sample = {
    at: Date.now(),
    entry,
    argv: process.argv,
    execArgv: process.execArgv,
    usage: Object.fromEntries(Object.entries(usage).map(([k, v]) => [k, mib(v)])),
    kernel: kernelSplit(),
    heap: {
      limit: mib(heap.heap_size_limit),
      total: mib(heap.total_heap_size),
      used: mib(heap.used_heap_size),
      malloced: mib(heap.malloced_memory),
      peakMalloced: mib(heap.peak_malloced_memory),
      external: mib(heap.external_memory),
      contexts: heap.number_of_native_contexts,
    },
    spaces: Object.fromEntries(
      v8.getHeapSpaceStatistics().map((s) => [s.space_name, { size: mib(s.space_size), used: mib(s.space_used_size) }]),
    ),
  };
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, JSON.stringify(sample));
  } catch {
    // A probe must never break the process it watches.
  }
}

setInterval(write, 5000).unref();
process.on('exit', write);
