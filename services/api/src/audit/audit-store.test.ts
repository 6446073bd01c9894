import { auditTable, type AuditEntry } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDynamo, type TestDynamo } from '../test-support/dynalite-tables.ts';
import { decodeCursor } from './audit-keys.ts';
import { auditExpiry, createAuditStore, rangeStart, type AuditStore } from './audit-store.ts';

let dynamo: TestDynamo;
let store: AuditStore;

const base = Date.parse('2026-11-28T22:00:00.000Z');
const hour = 3600 * 1000;
/** One entry every 5 hours over four days (20 entries), alternately by alice and bob. */
const written: AuditEntry[] = Array.from({ length: 20 }, (_, i) => ({
  time: new Date(base + i * 5 * hour).toISOString(),
  actor: { sub: `sub-${i % 2 ? 'bob' : 'alice'}`, username: i % 2 ? 'bob' : 'alice', email: null, role: 'admin' },
  action: i % 3 ? 'DELETE /api/devices/:id' : 'PUT /api/users/:username/role',
  actionName: i % 3 ? 'Revoke a device' : "Set a user's role",
  target: { type: i % 3 ? 'devices' : 'users', id: `t-${i}` },
  outcome: 204,
  requestId: `req-${i}`,
  sourceIp: '127.0.0.1',
}));
const newestFirst = [...written].reverse();
const from = base;
const to = base + 19 * 5 * hour;

beforeAll(async () => {
  dynamo = await startTestDynamo();
  store = createAuditStore({ dynamo: dynamo.doc, tableName: auditTable.id });
  for (const entry of written) await store.put(entry);
});
afterAll(() => dynamo.close());

async function readAll(limit: number, filter?: (e: AuditEntry) => boolean, range = rangeStart(from, to)) {
  const pages: AuditEntry[][] = [];
  let at = range;
  for (;;) {
    const page = await store.page({ at, limit, ...(filter ? { filter } : {}) });
    pages.push(page.entries);
    if (!page.nextCursor) return pages;
    const next = decodeCursor(page.nextCursor);
    if (!next.ok) throw new Error(next.message);
    at = next.cursor;
  }
}

describe('the audit store', () => {
  it('pages newest first across day partitions, each entry once', async () => {
    for (const limit of [1, 3, 7, 50]) {
      const pages = await readAll(limit);
      expect(pages.flat().map((e) => e.requestId)).toEqual(newestFirst.map((e) => e.requestId));
      expect(pages.slice(0, -1).every((p) => p.length === limit)).toBe(true);
    }
  });

  it('reads only the range asked, both ends included', async () => {
    const pages = await readAll(100, undefined, rangeStart(base + 5 * hour, base + 15 * hour));
    expect(pages.flat().map((e) => e.requestId)).toEqual(['req-3', 'req-2', 'req-1']);
  });

  it('fills pages through a filter that drops most entries', async () => {
    const bobOnUsers = (e: AuditEntry) => e.actor.username === 'bob' && e.target?.type === 'users';
    const pages = await readAll(2, bobOnUsers);
    // Entries 3, 9, 15: one in six.
    expect(pages.flat().map((e) => e.requestId)).toEqual(['req-15', 'req-9', 'req-3']);
  });

  it('gives back what was written (the email is filled when read) and expires it after the retention', async () => {
    const [page] = await readAll(1);
    expect(page).toEqual([newestFirst[0]]);
    const time = Date.parse('2026-12-02T00:00:00.000Z');
    expect(auditExpiry(time)).toBe(time / 1000 + 400 * 24 * 3600);
  });
});
