// Helpers for the entry scripts of stand-in child processes (plain ESM so a child starts
// without a TypeScript loader). See ready-child.ts for the parent side of the protocol.

/**
 * Exits when the parent's end of stdin closes: the parent never writes, so "end" means the parent
 * died (even by SIGKILL) or closed us. `cleanup` runs first, bounded to 2 s.
 * @param {() => Promise<void> | void} [cleanup]
 */
export function exitWithParent(cleanup) {
  let exiting = false;
  const exit = async () => {
    if (exiting) return;
    exiting = true;
    const timer = setTimeout(() => process.exit(0), 2000);
    try {
      await cleanup?.();
    } finally {
      clearTimeout(timer);
      process.exit(0);
    }
  };
  process.stdin.on('end', exit);
  process.stdin.on('close', exit);
  process.stdin.on('error', exit);
  process.stdin.resume();
  process.on('SIGTERM', exit);
  process.on('SIGINT', exit);
}

/** The line the parent waits for. @param {number} port */
export function announceReady(port) {
  process.stdout.write(`ready on port ${port}\n`);
}
