/**
 * Profiles a Node process from start to exit into `<tmpdir>/fleet-profiles/<entry>-<pid>.cpuprofile`.
 * Node refuses `--cpu-prof` in NODE_OPTIONS, but it accepts `--require`, and NODE_OPTIONS reaches
 * every process of the platform (the launcher passes it to the services, as a container has it):
 *
 *   NODE_OPTIONS="--require $PWD/bench/tools/profile-hook.cjs" npm run bench -- --only fleet
 *
 * (The folder is fixed: the launcher gives a service only the host variables a container has too,
 * TMPDIR among them.)
 *
 * A process stopped by SIGTERM or SIGINT with no handler of its own (dynalite, s3rver) writes its
 * profile before it exits with the signal's code.
 */
const { Session } = require('node:inspector');
const { writeFileSync, mkdirSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { basename, join } = require('node:path');

const dir = join(tmpdir(), 'fleet-profiles');
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 1000 });
session.post('Profiler.start');

let written = false;
function write() {
  if (written) return;
  written = true;
  // An in-thread inspector session answers synchronously: this runs to the end inside 'exit'.
  session.post('Profiler.stop', (err, result) => {
    if (err) return;
    const entry = process.argv.slice(1).find((a) => /\.(ts|mts|mjs|js)$/.test(a) && !a.includes('node_modules')) || 'node';
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${basename(entry)}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
}

process.on('exit', write);
for (const [signal, code] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
]) {
  process.on(signal, () => {
    // Only ours: the process had no handler, so the signal would have ended it.
    if (process.listenerCount(signal) === 1) {
      write();
      process.exit(code);
    }
  });
}
