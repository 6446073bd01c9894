/**
 * CSV as RFC 4180 writes it (https://www.rfc-editor.org/rfc/rfc4180), and as spreadsheets save it:
 * fields separated by commas, a field in double quotes may hold commas, line breaks and doubled
 * quotes (`""`), records end with CRLF or LF, and a UTF-8 byte order mark (Excel's "CSV UTF-8")
 * is not part of the first field. Pure, for the API and the web app's preview alike.
 */

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    /** The 1-based line of the file where the problem starts. */
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

/** The records of `text`, each a list of fields; blank lines are skipped. Throws CsvSyntaxError. */
export function parseCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let quotedFrom = 0;
  let i = text.startsWith('\uFEFF') ? 1 : 0;
  const endField = () => {
    fields.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    // A blank line is one empty field: nothing to import.
    if (fields.length > 1 || fields[0] !== '') records.push(fields);
    fields = [];
  };
  while (i < text.length) {
    const char = text[i] as string;
    if (char === '"' && field === '' && quotedFrom === 0) {
      quotedFrom = line;
      i += 1;
      for (;;) {
        if (i >= text.length) throw new CsvSyntaxError(`a quoted field opened on line ${quotedFrom} is never closed`, quotedFrom);
        const inner = text[i] as string;
        if (inner === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        if (inner === '\n') line += 1;
        field += inner;
        i += 1;
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw new CsvSyntaxError(`line ${line}: text after the closing quote of a field (a quote inside a field is written "")`, line);
      }
      continue;
    }
    if (char === ',') {
      endField();
      quotedFrom = 0;
    } else if (char === '\n' || (char === '\r' && text[i + 1] === '\n')) {
      endRecord();
      quotedFrom = 0;
      line += 1;
      if (char === '\r') i += 1;
    } else if (char === '"') {
      throw new CsvSyntaxError(`line ${line}: a quote inside an unquoted field (quote the whole field and write "")`, line);
    } else {
      field += char;
    }
    i += 1;
  }
  if (field !== '' || fields.length > 0 || quotedFrom !== 0) endRecord();
  return records;
}

/** One field as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Records as CSV text, CRLF line ends (RFC 4180). */
export function formatCsvRecords(records: readonly (readonly string[])[]): string {
  return records.map((fields) => `${fields.map(csvField).join(',')}\r\n`).join('');
}
