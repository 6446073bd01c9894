import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLaunchConfig, UsageRequested } from './launch-config.ts';
import { awsCredentialsRow, formatStatusTable } from './status-table.ts';

describe('launch configuration', () => {
  it('defaults to loopback, LocalStack and AWS IoT ports, and .fleet', () => {
    const config = readLaunchConfig([], {});
    expect(config).toEqual({
      dataDir: resolve('.fleet'),
      host: '127.0.0.1',
      ports: { gateway: 3000, aws: 4566, mqtt: 8883, mqttWebSocket: 8083, iotHttps: 8443, services: [3001, 3002, 3003] },
      services: true,
      dataTasks: 1,
      dataServiceTuning: {},
      tableStatisticsIntervalMs: 600_000,
      logLevel: 'info',
      allowAnyCredentials: false,
      serviceHostVariables: {},
    });
  });

  it('hands services only the host variables a container would have', () => {
    const config = readLaunchConfig([], { PATH: '/usr/bin', HOME: '/home/dev', TZ: '', AWS_PROFILE: 'prod', FLEET_HOST: '127.0.0.1' });
    expect(config.serviceHostVariables).toEqual({ PATH: '/usr/bin', HOME: '/home/dev' });
  });

  it('opens the AWS port to any credentials only when asked, by flag or environment', () => {
    expect(readLaunchConfig(['--allow-any-credentials'], {}).allowAnyCredentials).toBe(true);
    expect(readLaunchConfig([], { FLEET_ALLOW_ANY_CREDENTIALS: '1' }).allowAnyCredentials).toBe(true);
    expect(readLaunchConfig([], { FLEET_ALLOW_ANY_CREDENTIALS: 'false' }).allowAnyCredentials).toBe(false);
    expect(() => readLaunchConfig([], { FLEET_ALLOW_ANY_CREDENTIALS: 'yes please' })).toThrow(
      /FLEET_ALLOW_ANY_CREDENTIALS must be 1\/true or 0\/false, received "yes please"/,
    );
  });

  it('takes flags over environment variables', () => {
    const config = readLaunchConfig(['--aws-port', '5000', '--cloud-only'], {
      FLEET_AWS_PORT: '6000',
      FLEET_GATEWAY_PORT: '8080',
      FLEET_DATA_DIR: '/tmp/x',
    });
    expect(config.ports.aws).toBe(5000);
    expect(config.ports.gateway).toBe(8080);
    expect(config.dataDir).toBe('/tmp/x');
    expect(config.services).toBe(false);
  });

  it('takes the IoT HTTPS publish port from --iot-https-port or FLEET_IOT_HTTPS_PORT', () => {
    expect(readLaunchConfig(['--iot-https-port', '21443'], { FLEET_IOT_HTTPS_PORT: '9443' }).ports.iotHttps).toBe(21443);
    expect(readLaunchConfig([], { FLEET_IOT_HTTPS_PORT: '9443' }).ports.iotHttps).toBe(9443);
    expect(() => readLaunchConfig(['--iot-https-port', 'https'], {})).toThrow(
      /--iot-https-port must be a port number 0-65535, received "https"/,
    );
  });

  it('reports every bad value together', () => {
    expect(() => readLaunchConfig(['--aws-port', 'x', '--mqtt-port', '70000', '--service-ports', '1,2'], {})).toThrow(
      /--aws-port must be a port number 0-65535, received "x"\n {2}- --mqtt-port must be a port number 0-65535, received "70000"\n {2}- --service-ports takes 3/,
    );
  });

  it('runs as many Data Service tasks as asked, 1 to the most ECS would run', () => {
    expect(readLaunchConfig(['--data-tasks', '3'], {}).dataTasks).toBe(3);
    expect(readLaunchConfig([], { FLEET_DATA_TASKS: '2' }).dataTasks).toBe(2);
    expect(() => readLaunchConfig(['--data-tasks', '0'], {})).toThrow(/--data-tasks must be a whole number 1-4, received "0"/);
    expect(() => readLaunchConfig([], { FLEET_DATA_TASKS: '5' })).toThrow(/--data-tasks must be a whole number 1-4, received "5"/);
    expect(() => readLaunchConfig([], { FLEET_DATA_TASKS: '2.5' })).toThrow(/--data-tasks must be a whole number 1-4, received "2.5"/);
  });

  it("passes the Data Service's flush spacing on only when asked, and checks it by the service's own rule", () => {
    expect(readLaunchConfig(['--ingest-flush-spacing', '100'], {}).dataServiceTuning).toEqual({ flushSpacingMs: 100 });
    expect(readLaunchConfig([], { FLEET_INGEST_FLUSH_SPACING_MS: '0' }).dataServiceTuning).toEqual({ flushSpacingMs: 0 });
    expect(() => readLaunchConfig(['--ingest-flush-spacing', '9000'], {})).toThrow(
      /--ingest-flush-spacing must be an integer from 0 to 5000 \(milliseconds\), received "9000"/,
    );
  });

  it('counts the local tables every 10 minutes unless told otherwise', () => {
    expect(readLaunchConfig(['--table-stats-interval', '5'], {}).tableStatisticsIntervalMs).toBe(5_000);
    expect(readLaunchConfig([], { FLEET_TABLE_STATS_INTERVAL: '60' }).tableStatisticsIntervalMs).toBe(60_000);
    expect(() => readLaunchConfig(['--table-stats-interval', '0'], {})).toThrow(
      /--table-stats-interval must be 1-86400 seconds, received "0"/,
    );
  });

  it('rejects unknown flags', () => {
    expect(() => readLaunchConfig(['--nope'], {})).toThrow(/Unknown option '--nope'/);
  });

  it('signals a help request with the usage text', () => {
    expect(() => readLaunchConfig(['--help'], {})).toThrow(UsageRequested);
  });
});

describe('status table', () => {
  it('aligns columns', () => {
    const table = formatStatusTable('up', [
      { what: 'Gateway', where: 'http://127.0.0.1:3000', note: 'open me' },
      { what: 'AWS APIs', where: 'http://127.0.0.1:4566' },
    ]);
    expect(table.split('\n')).toEqual([
      '',
      '  up',
      `  ${'─'.repeat(8 + 21 + 4)}`,
      '  Gateway   http://127.0.0.1:3000  open me',
      '  AWS APIs  http://127.0.0.1:4566',
      `  ${'─'.repeat(8 + 21 + 4)}`,
      '',
    ]);
  });
  it('says in plain words when the AWS port accepts any credentials', () => {
    expect(formatStatusTable('t', [awsCredentialsRow(true, '/d/credentials.json')])).toContain(
      'ANY credentials accepted  OPEN (--allow-any-credentials): no signature or permission is checked',
    );
    expect(formatStatusTable('t', [awsCredentialsRow(false, '/d/credentials.json')])).toContain('/d/credentials.json');
  });
});
