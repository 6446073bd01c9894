// Closes the LevelDB iterators dynalite leaks (issue 7, item 15: 2.8 GB RSS and a 2.5 GB data
// folder after ~100,000 readings, kept while idle).
//
// dynalite 4.0.0 (db/index.js, `createKeyStream` / `createValueStream`) wraps each level iterator
// in a Readable whose destroy() calls `iterator.return()`. abstract-level 3 iterators have no
// `return()` (they have `close()`, see abstract-level/abstract-iterator.js), so the call is skipped
// and the iterator stays open until the database closes: every Query, Scan, ListTables and
// DescribeTable item count leaves one behind. abstract-level keeps each in the database's resource
// set (never garbage-collected), and each native LevelDB iterator pins the snapshot it was opened
// on: the memtables it saw are never freed, and compaction may neither drop overwritten versions
// nor delete obsolete table files. With time-bucketed UpdateItems (every write rewrites the
// window item) and the TTL sweeper's Scans, memory and disk grow with every write.
//
// `return()` is the async-iterator protocol's "stop early" method; giving abstract-level's
// iterators one that closes them is what dynalite expects. Node's Readable destroys itself after
// 'end' (autoDestroy), so a fully read stream closes its iterator too.
import { createRequire } from 'node:module';

// Resolve abstract-level the way dynalite's own `require('level')` reaches it, so the patched
// class is the one its database uses even if the tree ever holds two copies.
const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
const fromLevel = createRequire(fromDynalite.resolve('level'));
const fromClassicLevel = createRequire(fromLevel.resolve('classic-level'));
const { AbstractIterator } = fromClassicLevel('abstract-level');

/** The base class shared by abstract-level's iterators, key iterators and value iterators. */
const commonIterator = Object.getPrototypeOf(AbstractIterator.prototype);

if (typeof commonIterator.return !== 'function') {
  Object.defineProperty(commonIterator, 'return', {
    configurable: true,
    writable: true,
    value: function closeOnReturn() {
      return this.close();
    },
  });
}
