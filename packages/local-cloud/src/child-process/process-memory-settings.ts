/**
 * How every Node process of the local cloud holds its memory (issue 9: the platform's resident set
 * ≤ 1 GB, flat). The launcher gives these to each child it spawns (dynalite, s3rver, the service
 * tasks: `ready-child.ts`, and the launcher's main.ts puts the environment variables into its own
 * environment, which the stand-ins inherit). `launcherNodeFlags` is what the launcher itself runs
 * with: `npm start`'s script, and `startPlatformProcess` of e2e and the bench. The launcher's own
 * malloc follows `localProcessEnvironment` only under `npm start` (glibc reads it at exec).
 *
 * - **V8's young generation.** V8 sizes it from the machine's memory: on a 23.5 GiB machine each of
 *   its two semi-spaces may grow to 32 MB, and a busy process (the Data Service, dynalite) reaches
 *   that within seconds and keeps it: 64–128 MB of new space per process, measured with
 *   `bench/tools/memory-hook.cjs`. 4 MB semi-spaces hold what one request or one flush allocates
 *   before it is collected; capping the young generation never fails an allocation (survivors are
 *   promoted to the old generation, which keeps V8's default limit), so it bears no out-of-memory risk.
 * - **V8's old generation.** After each full collection V8 lets the old generation grow to what
 *   survived times a factor it picks from how fast the collector runs against the program, up to 4× on
 *   a machine of this size; native memory held by dead JavaScript objects (Buffers: HTTP bodies,
 *   LevelDB values) is freed only by that next collection too. At the end of a 10-minute soak the Data
 *   Service held 178 MB of old space for 78 MB live. A fixed factor of 2 (`--heap-growing-percent`)
 *   only collects sooner; it never refuses an allocation (V8's limit is unchanged). 1.5 held less
 *   still, but its more frequent full collections landed in the chart queries (p99 15 → 29 ms).
 * - **glibc's malloc arenas.** glibc gives each thread that contends for malloc an arena of its own,
 *   up to 8 per core, and keeps what each has freed: the libuv thread pool (LevelDB in dynalite, TLS,
 *   zlib, file I/O) spreads native allocations over them. Two arenas keep that memory together.
 * - **glibc's mmap threshold.** An allocation of 128 KiB or more is mapped on its own and given back
 *   when freed, but glibc raises that threshold to the size of every such block freed (up to 32 MiB)
 *   and its trim threshold to twice that: after the first large buffers (a Query page of 1 MB, a
 *   LevelDB table block) the same sizes come from the heap, whose free holes and top it then keeps.
 *   Fixing both thresholds at 128 KiB turns that adjustment off. The thresholds alone were worth
 *   36 MiB; with the factor of 2 above, a 10-minute soak at 708 readings/s held 952–991 MiB in all
 *   instead of 1,150–1,229 (bench/README.md, "Memory, third round").
 *
 * The ECS task definitions (infra/) set none of these: a Fargate task is billed for the memory it reserves
 * (`memoryMiB` in @fleet/core's services.ts), not for what Node touches of it, and Node sizes V8's
 * heap from the container's limit there.
 */

/** Semi-space size of V8's young generation, MB: the new space is two of them. */
export const maxSemiSpaceMb = 4;

/** How far V8 lets the old generation grow past what survived its last full collection, percent. */
export const heapGrowingPercent = 100;

/** V8 flags placed before the script of every Node process of the local cloud. */
export const localNodeFlags: readonly string[] = [
  `--max-semi-space-size=${maxSemiSpaceMb}`,
  `--heap-growing-percent=${heapGrowingPercent}`,
];

/** The launcher's own flags: `npm start`'s script in package.json says the same (a test checks it). */
export const launcherNodeFlags: readonly string[] = localNodeFlags;

/** glibc's default mmap threshold, bytes, at which both of its thresholds are held fixed. */
const mallocFixedThresholdBytes = 128 * 1024;

/** Environment variables every child process gets on top of its own: glibc reads them at start. */
export const localProcessEnvironment: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: String(mallocFixedThresholdBytes),
  MALLOC_TRIM_THRESHOLD_: String(mallocFixedThresholdBytes),
};
