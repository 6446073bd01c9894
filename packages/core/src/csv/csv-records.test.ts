import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, formatCsvRecords, parseCsvRecords } from './csv-records.ts';

/** Fields with what makes CSV hard: commas, quotes, CR, LF, CRLF, non-ASCII. */
const field = fc.string({ unit: fc.constantFrom('a', 'Z', '9', ' ', ',', '"', '\r', '\n', 'é', '😀', ';', '=') });
/** A record that does not read back as a blank line (one empty field). */
const record = fc.array(field, { minLength: 1, maxLength: 6 }).filter((r) => r.length > 1 || r[0] !== '');

describe('CSV records', () => {
  it('reads back whatever it writes: quoted fields, commas, quotes and line breaks inside fields', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 20 }), (records) => {
        expect(parseCsvRecords(formatCsvRecords(records))).toEqual(records);
      }),
    );
  });

  it('reads LF line ends, a missing final line end and a byte order mark as CRLF files', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 10 }), fc.boolean(), (records, bom) => {
        const crlf = formatCsvRecords(records);
        // Only the record separators change: a CRLF inside a quoted field is the field's content.
        const lf = records.map((r) => formatCsvRecords([r]).slice(0, -2)).join('\n');
        expect(parseCsvRecords((bom ? '\uFEFF' : '') + lf)).toEqual(parseCsvRecords(crlf));
      }),
    );
  });

  it('skips blank lines and keeps empty fields', () => {
    expect(parseCsvRecords('name,group\r\n\r\na,\r\n,b\n\n')).toEqual([
      ['name', 'group'],
      ['a', ''],
      ['', 'b'],
    ]);
  });

  it('refuses an unclosed quote and a quote inside an unquoted field, naming the line', () => {
    expect(() => parseCsvRecords('name\n"open\nstill open')).toThrow(
      new CsvSyntaxError('a quoted field opened on line 2 is never closed', 2),
    );
    expect(() => parseCsvRecords('name\nab"c')).toThrow(/line 2: a quote inside an unquoted field/);
    expect(() => parseCsvRecords('name\n"ab"c')).toThrow(/line 2: text after the closing quote/);
  });
});
