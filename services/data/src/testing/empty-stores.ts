/** Stores that hold nothing, for app tests about other routes. Test support only. */
import type { AppOptions } from '../app.ts';

const nothingWritten = async () => ({ stored: 0, duplicates: 0, failed: [] });

export const emptyStores = {
  telemetry: { write: nothingWritten, writeHistorical: nothingWritten, query: async function* () {} },
  latest: { write: async () => ({ updated: 0, older: 0, failed: [] }), get: async () => undefined },
  states: { getMany: async () => [] },
  deadLetters: { write: async () => 'key', listRecent: async () => [] },
} satisfies Pick<AppOptions, 'telemetry' | 'latest' | 'states' | 'deadLetters'>;
