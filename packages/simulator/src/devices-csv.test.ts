import { describe, expect, it } from 'vitest';
import { csvField, devicesCsv } from './devices-csv.ts';

describe('devices CSV', () => {
  it('writes the header first and one CRLF-ended row per device', () => {
    const csv = devicesCsv([
      {
        deviceId: 'sim-0001',
        name: 'Simulated device 1',
        certificateArn: 'arn:aws:iot:eu-west-1:000000000000:cert/abc',
        certificateId: 'abc',
        certificateFile: '/data/simulator/devices/sim-0001/certificate.pem.crt',
        privateKeyFile: '/data/simulator/devices/sim-0001/private.pem.key',
        createdAt: '2026-12-02T10:00:00.000Z',
      },
    ]);
    expect(csv).toBe(
      'deviceId,name,certificateArn,certificateId,certificateFile,privateKeyFile,createdAt\r\n' +
        'sim-0001,Simulated device 1,arn:aws:iot:eu-west-1:000000000000:cert/abc,abc,' +
        '/data/simulator/devices/sim-0001/certificate.pem.crt,/data/simulator/devices/sim-0001/private.pem.key,2026-12-02T10:00:00.000Z\r\n',
    );
  });

  it('quotes a field holding a comma, a double quote or a line break, doubling its quotes (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
  });

  it('writes only the header when the run created no device', () => {
    expect(devicesCsv([])).toBe('deviceId,name,certificateArn,certificateId,certificateFile,privateKeyFile,createdAt\r\n');
  });
});
