import { describe, expect, it } from 'vitest';
import { formatCsvRecords } from './csv/csv-records.ts';
import { deviceImportLimits, parseDeviceImportCsv } from './device-import-contract.ts';

describe('the device import file', () => {
  it('reads name, deviceId, group and attr.<key> columns in any order, empty cells meaning absent', () => {
    const parsed = parseDeviceImportCsv('\uFEFFgroup,name,attr.site,deviceId\r\nplant-a,"Boiler, north",lyon,boiler-1\r\n,Pump,,\r\n');
    expect(parsed.problems).toEqual([]);
    expect(parsed.rows).toEqual([
      { row: 1, name: 'Boiler, north', deviceId: 'boiler-1', group: 'plant-a', attributes: { site: 'lyon' } },
      { row: 2, name: 'Pump', attributes: {} },
    ]);
  });

  it("takes a device's own CSR in a quoted cell, for a row that names its deviceId", () => {
    const csr = '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n';
    const parsed = parseDeviceImportCsv(
      formatCsvRecords([
        ['name', 'deviceId', 'csr'],
        ['Own key', 'own-1', csr],
        ['No id', '', csr],
        ['Not a CSR', 'own-2', 'hello'],
        ['Made here', 'made-1', ''],
      ]),
    );
    expect(parsed.rows).toEqual([
      { row: 1, name: 'Own key', deviceId: 'own-1', attributes: {}, certificateSigningRequest: csr.trim() },
      { row: 4, name: 'Made here', deviceId: 'made-1', attributes: {} },
    ]);
    expect(parsed.problems.map((p) => p.message)).toEqual([
      "row 2: a row with a csr names its deviceId (the CSR's subject must be CN=<deviceId>)",
      expect.stringMatching(/^row 3: csr must be a PEM certificate signing request/),
    ]);
  });

  it('reports a bad row by its number and keeps the others', () => {
    const parsed = parseDeviceImportCsv(
      'name,deviceId,group,attr.site\nok,,,\n,x,,\nbad id,a b,,\nbad group,,a b,\nbad attr,,,"a b"\nshort\n',
    );
    expect(parsed.rows.map((r) => r.row)).toEqual([1]);
    expect(parsed.problems.map((p) => p.row)).toEqual([2, 3, 4, 5, 6]);
    expect(parsed.problems[1]?.message).toMatch(/row 3: deviceId "a b" must match/);
    expect(parsed.problems[4]?.message).toMatch(/row 6 has 1 fields; the header has 4/);
  });

  it('refuses a file without a name column, with unknown or repeated columns, without rows or with too many', () => {
    expect(() => parseDeviceImportCsv('')).toThrow(/empty/);
    expect(() => parseDeviceImportCsv('deviceId\nx\n')).toThrow(/no "name" column/);
    expect(() => parseDeviceImportCsv('name,colour\nx,red\n')).toThrow(/Unknown column\(s\) "colour"/);
    expect(() => parseDeviceImportCsv('name,name\nx,y\n')).toThrow(/appears twice/);
    expect(() => parseDeviceImportCsv('name,attr.owner\nx,y\n')).toThrow(/not "owner" or "name"/);
    expect(() => parseDeviceImportCsv('name\n')).toThrow(/no rows/);
    const tooMany = formatCsvRecords([['name'], ...Array.from({ length: deviceImportLimits.maxRows + 1 }, (_, i) => [`d${i}`])]);
    expect(() => parseDeviceImportCsv(tooMany)).toThrow(/10001 rows; one import takes at most 10000/);
    expect(() => parseDeviceImportCsv('name\n"x')).toThrow(/not valid CSV: a quoted field opened on line 2/);
  });
});
