/**
 * Bulk registration at fleet scale (issue 12): the whole platform as a separate process, a generated
 * CSV of `--rows` devices (a name, a group per 1,000, an attribute; ids derived from the names)
 * uploaded through the gateway (`POST /api/device-imports`), the job polled to its end, then the
 * credentials ZIP downloaded. Every row goes through AWS IoT (CreateThing, CreateCertificateFromCsr
 * of an EC P-256 key the API makes, AttachPolicy, AttachThingPrincipal, AddThingToThingGroup) and the registry table.
 *
 *   npm run bench:import -- [--rows 10000]
 *
 * Prints one JSON line with the figures. Not asserted anywhere: the figure is reported.
 */
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { deviceImportPaths, formatCsvRecords, type DeviceImportAnswer } from '@fleet/core';
import { createUser, startPlatformProcess } from '@fleet/e2e';

const { values: args } = parseArgs({ options: { rows: { type: 'string', default: '10000' } } });
const rows = Number(args.rows);

async function main(): Promise<void> {
  const platform = await startPlatformProcess({ startTimeoutMs: 120_000 });
  try {
    const user = await createUser(platform);
    const csv = formatCsvRecords([
      ['name', 'group', 'attr.batch'],
      ...Array.from({ length: rows }, (_, i) => [`Bench sensor ${i}`, `bench-${Math.floor(i / 1000)}`, 'lot-7']),
    ]);
    const loadAtStart = loadavg()[0];
    const started = performance.now();
    const job = await user.api.call<DeviceImportAnswer>('POST', deviceImportPaths.imports, { csv });
    let answer: DeviceImportAnswer;
    let lastDone = -1;
    for (;;) {
      answer = await user.api.call<DeviceImportAnswer>('GET', `${deviceImportPaths.one(job.job.importId)}?limit=1`);
      if (answer.job.counts.done !== lastDone) {
        lastDone = answer.job.counts.done;
        process.stderr.write(`${((performance.now() - started) / 1000).toFixed(0)} s: ${lastDone}/${rows}\n`);
      }
      if (answer.job.status !== 'running') break;
      await sleep(1000);
    }
    const seconds = (performance.now() - started) / 1000;
    const zipStarted = performance.now();
    const zip = await fetch(`${platform.endpoints.gatewayUrl}${deviceImportPaths.credentials(job.job.importId)}`, {
      headers: { authorization: `Bearer ${user.tokens.accessToken}` },
    });
    const zipBytes = (await zip.arrayBuffer()).byteLength;
    console.log(
      JSON.stringify({
        rows,
        status: answer.job.status,
        counts: answer.job.counts,
        seconds: Number(seconds.toFixed(1)),
        rowsPerSecond: Number((rows / seconds).toFixed(1)),
        zipStatus: zip.status,
        zipMiB: Number((zipBytes / 1024 / 1024).toFixed(2)),
        zipSeconds: Number(((performance.now() - zipStarted) / 1000).toFixed(1)),
        loadAverageAtStart: loadAtStart,
      }),
    );
  } finally {
    await platform.stop();
  }
}

await main();
