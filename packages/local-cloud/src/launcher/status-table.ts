/** The table `npm start` prints: what listens where, and where the data lives. */
export interface StatusRow {
  readonly what: string;
  readonly where: string;
  readonly note?: string;
}

export function formatStatusTable(title: string, rows: readonly StatusRow[]): string {
  const whatWidth = Math.max(...rows.map((r) => r.what.length));
  const whereWidth = Math.max(...rows.map((r) => r.where.length));
  const lines = rows.map((r) => `  ${r.what.padEnd(whatWidth)}  ${r.where.padEnd(whereWidth)}  ${r.note ?? ''}`.trimEnd());
  const rule = `  ${'─'.repeat(whatWidth + whereWidth + 4)}`;
  return [``, `  ${title}`, rule, ...lines, rule, ``].join('\n');
}

/** How the AWS port checks callers, in plain words: open to anyone with `--allow-any-credentials`. */
export function awsCredentialsRow(allowAnyCredentials: boolean, credentialsFile: string): StatusRow {
  return allowAnyCredentials
    ? {
        what: 'AWS API credentials',
        where: 'ANY credentials accepted',
        note: 'OPEN (--allow-any-credentials): no signature or permission is checked, every caller acts as the account root',
      }
    : { what: 'AWS API credentials', where: credentialsFile, note: 'root keys; every signature and IAM permission is checked' };
}
