/** Whether a process exists (signal 0 checks without signalling); crash and fuzz tests ask it of stand-ins. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
