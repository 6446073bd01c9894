/**
 * `npm run cost`: the modelled AWS monthly cost of a fleet on the broker path and Basic Ingest.
 * The composition root: reads argv, prints, sets the exit code.
 */
import { modelMonthlyCost } from '@fleet/core';
import { costHelp, parseCostOptions } from './cost-options.ts';
import { costTable } from './cost-table.ts';

const parsed = parseCostOptions(process.argv.slice(2));
if (parsed.kind === 'help') {
  console.log(costHelp);
} else if (parsed.kind === 'problems') {
  console.error(`${parsed.problems.join('\n')}\n\n${costHelp}`);
  process.exitCode = 2;
} else {
  const { json, ...fleet } = parsed.options;
  const broker = modelMonthlyCost({ ...fleet, ingestPath: 'broker' });
  const basic = modelMonthlyCost({ ...fleet, ingestPath: 'basic-ingest' });
  console.log(json ? JSON.stringify({ fleet, broker, basicIngest: basic }, null, 2) : costTable(broker, basic));
}
