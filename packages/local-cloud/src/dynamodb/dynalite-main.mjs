// Child process entry: dynalite on loopback with its LevelDB store on disk.
// `node dynalite-main.mjs <path> [port]`; prints "ready on port N"; exits when stdin closes.
import dynalite from 'dynalite';
import { announceReady, exitWithParent } from '../child-process/child-entry.mjs';

const [path, port = '0'] = process.argv.slice(2);
if (!path) throw new Error(`usage: dynalite-main.mjs <path> [port]; received ${JSON.stringify(process.argv.slice(2))}`);

// createTableMs etc. 0: tables are ACTIVE at once, no 500 ms CREATING state to poll through.
const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(Number(port), '127.0.0.1', () => announceReady(server.address().port));
exitWithParent(() => new Promise((resolve) => server.close(() => resolve())));
