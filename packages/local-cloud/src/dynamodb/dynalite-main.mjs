// Child process entry: dynalite on loopback with its LevelDB store on disk.
// `node dynalite-main.mjs <path> [port] [--max-rss-mb N]`; prints "ready on port N"; exits when
// stdin closes, or (code 75) when its resident memory passes the cap, for the supervisor to restart.
import { parseArgs } from 'node:util';
import './level-iterator-return.mjs';
import './condition-parse-memo.mjs';
import dynalite from 'dynalite';
import { announceReady, exitWithParent } from '../child-process/child-entry.mjs';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { 'max-rss-mb': { type: 'string' } } });
const [path, port = '0'] = positionals;
if (!path) throw new Error(`usage: dynalite-main.mjs <path> [port] [--max-rss-mb N]; received ${JSON.stringify(process.argv.slice(2))}`);

// createTableMs etc. 0: tables are ACTIVE at once, no 500 ms CREATING state to poll through.
const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(Number(port), '127.0.0.1', () => announceReady(server.address().port));
exitWithParent(() => new Promise((resolve) => server.close(() => resolve())), {
  maxRssMb: values['max-rss-mb'] ? Number(values['max-rss-mb']) : undefined,
});
