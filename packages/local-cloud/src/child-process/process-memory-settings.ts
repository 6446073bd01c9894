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
 * - **glibc's malloc arenas.** glibc gives each thread that contends for malloc an arena of its own,
 *   up to 8 per core, and keeps what each has freed: the libuv thread pool (LevelDB in dynalite, TLS,
 *   zlib, file I/O) spreads native allocations over them. Two arenas keep that memory together.
 *
 * The ECS task definitions (infra/) set neither: a Fargate task is billed for the memory it reserves
 * (`memoryMiB` in @fleet/core's services.ts), not for what Node touches of it, and Node sizes V8's
 * heap from the container's limit there.
 */

/** Semi-space size of V8's young generation, MB: the new space is two of them. */
export const maxSemiSpaceMb = 4;

/** V8 flags placed before the script of every Node process of the local cloud. */
export const localNodeFlags: readonly string[] = [`--max-semi-space-size=${maxSemiSpaceMb}`];

/** The launcher's own flags: `npm start`'s script in package.json says the same (a test checks it). */
export const launcherNodeFlags: readonly string[] = localNodeFlags;

/** Environment variables every child process gets on top of its own: glibc reads them at start. */
export const localProcessEnvironment: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
