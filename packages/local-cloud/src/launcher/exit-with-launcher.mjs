// Preloaded (`--import`) into each service process by the launcher. On ECS a task dies with its
// container; here a service must die with the launcher, or a launcher killed with SIGKILL leaves
// services holding their ports. The launcher never writes to the service's stdin, so its end means
// the launcher is gone without stopping us (a clean stop sends SIGTERM first). The service then
// ends at once, as a container does when its host dies: a graceful shutdown is not possible anyway,
// since its stdout has no reader left and a blocking log write would hang it. Nothing is lost:
// queue messages not yet deleted are delivered again.
const die = () => process.kill(process.pid, 'SIGKILL');
process.stdin.on('end', die);
process.stdin.on('error', die);
process.stdin.resume();
// The open stdin must not keep a service alive that has finished by itself.
process.stdin.unref?.();
