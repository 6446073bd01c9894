// Helpers for the entry scripts of stand-in child processes (plain ESM so a child starts
// without a TypeScript loader). See ready-child.ts for the parent side of the protocol.

/** Exit code of a child that left because of its memory cap (EX_TEMPFAIL: "try again later"). */
export const memoryCapExitCode = 75;

/**
 * Exits when the parent's end of stdin closes: the parent never writes, so "end" means the parent
 * died (even by SIGKILL) or closed us. `cleanup` runs first, bounded to 2 s.
 *
 * With `maxRssMb`, also exits (code 75) once the resident set passes that many MB, checked every
 * 10 s (`checkEveryMs`): the last resort against a leak, since the supervisor starts a fresh process on the same
 * data. Requests arriving meanwhile are answered as "service unavailable, retry" by the parent.
 * @param {() => Promise<void> | void} [cleanup]
 * @param {{ maxRssMb?: number, checkEveryMs?: number }} [options]
 */
export function exitWithParent(cleanup, options = {}) {
  let exiting = false;
  const exit = async (code = 0) => {
    if (exiting) return;
    exiting = true;
    const timer = setTimeout(() => process.exit(code), 2000);
    try {
      await cleanup?.();
    } finally {
      clearTimeout(timer);
      process.exit(code);
    }
  };
  const onEnd = () => void exit();
  process.stdin.on('end', onEnd);
  process.stdin.on('close', onEnd);
  process.stdin.on('error', onEnd);
  process.stdin.resume();
  process.on('SIGTERM', onEnd);
  process.on('SIGINT', onEnd);
  const { maxRssMb, checkEveryMs = 10_000 } = options;
  if (maxRssMb) {
    const check = setInterval(() => {
      const rssMb = Math.round(process.memoryUsage.rss() / 1024 / 1024);
      if (rssMb <= maxRssMb) return;
      process.stderr.write(`resident memory ${rssMb} MB is above the cap of ${maxRssMb} MB: exiting for a fresh process\n`);
      void exit(memoryCapExitCode);
    }, checkEveryMs);
    check.unref();
  }
}

/** The line the parent waits for. @param {number} port */
export function announceReady(port) {
  process.stdout.write(`ready on port ${port}\n`);
}
