import { describe, expect, it } from 'vitest';
import { defaultRetention } from '../retention.ts';
import { flushPeriodSeconds, modelMonthlyCost, telemetryRules, type CostInput } from './model.ts';
import { writeShape } from './write-shape.ts';

// Ten devices, a reading a minute, two metrics: 10 / 60 × 2,628,000 s = 438,000 readings a month.
const small: CostInput = { devices: 10, intervalSeconds: 60, metrics: 2, retention: defaultRetention, users: 0, ingestPath: 'broker' };
const line = (input: CostInput, item: string) => {
  const found = modelMonthlyCost(input).lines.find((l) => l.item === item);
  if (!found) throw new Error(`no line ${item}`);
  return found.usd;
};

describe('modelMonthlyCost', () => {
  it('prices a small fleet on the broker path as computed by hand', () => {
    const model = modelMonthlyCost(small);
    expect(model.readingsPerMonth).toBeCloseTo(438_000);
    expect(line(small, 'IoT Core messages')).toBe(0.44); // 438,000 × $1/M
    expect(line(small, 'IoT Core connectivity')).toBe(0.04); // 10 × 43,800 min × $0.08/M
    expect(line(small, 'IoT rules triggered')).toBe(0.2); // 3 rules on the telemetry topic × 438,000 × $0.15/M
    expect(line(small, 'IoT rule actions')).toBe(0.07); // the SQS action only (no alert matched) × 438,000 × $0.15/M
    // 438,000 SendMessage + 438,000 receives (one message each) + 87,600 empty 20 s polls
    // (4 receivers × 2,628,000 s / 20 = 525,600 polls in all) + 438,000 DeleteMessageBatch → 1,401,600 × $0.40/M.
    expect(line(small, 'SQS requests')).toBe(0.56);
    // 1 telemetry + 1 latest + 3 rollup Puts per reading: 5 × 438,000 × $0.625/M.
    expect(model.writeUnitsPerReading).toEqual({ telemetry: 1, latest: 1, rollups: 3 });
    expect(line(small, 'DynamoDB writes')).toBe(1.37);
    // One PUT per flush, a flush per reading at this rate: 438,000 × $0.005/1,000.
    expect(line(small, 'S3 archive PUTs')).toBe(2.19);
    // 730 h × (2 × (0.25 × $0.04048 + 0.5 × $0.004445) + 0.5 × $0.04048 + 1 × $0.004445).
    expect(line(small, 'Fargate')).toBe(36.04);
    expect(line(small, 'Load balancers')).toBe(49.28); // 3 × 730 h × $0.0225, no traffic
    expect(line(small, 'Cognito')).toBe(0);
    const sum = model.lines.reduce((s, l) => s + l.usd, 0);
    expect(model.monthlyUsd).toBeCloseTo(sum, 1);
    expect(model.perMillionReadingsUsd).toBeCloseTo((model.monthlyUsd / 438_000) * 1e6, 0);
  });

  it('charges no messaging on Basic Ingest and runs only the ingest rule', () => {
    const basic = { ...small, ingestPath: 'basic-ingest' } as const;
    expect(telemetryRules('basic-ingest').map((r) => r.name)).toEqual(['fleet_telemetry_ingest']);
    expect(telemetryRules('broker')).toHaveLength(3);
    expect(line(basic, 'IoT Core messages')).toBe(0);
    expect(line(basic, 'IoT rules triggered')).toBe(0.07); // 1 × 438,000 × $0.15/M
    expect(modelMonthlyCost(basic).monthlyUsd).toBeLessThan(modelMonthlyCost(small).monthlyUsd);
  });

  it('counts rollup items per level and retention in the storage line', () => {
    // 10 devices × (1,440 minutes × 90 d + 24 hours × 730 d + 1 day × 3,650 d) = 1,507,700 items.
    expect(modelMonthlyCost(small).lines.find((l) => l.item === 'DynamoDB storage')?.basis).toContain('1,507,700 items');
    const shorter = { ...small, retention: { ...defaultRetention, minuteDays: 30 } };
    expect(line(shorter, 'DynamoDB storage')).toBeLessThan(line(small, 'DynamoDB storage'));
  });

  it('adds Cognito users above the free tier and Data Service tasks as the rate grows', () => {
    expect(line({ ...small, users: 12_000 }, 'Cognito')).toBe(30); // 2,000 × $0.015
    // 4,000 devices each second: 4,000 readings/s needs the maximum of 4 data tasks.
    const busy = modelMonthlyCost({ ...small, devices: 4000, intervalSeconds: 1 });
    expect(busy.lines.find((l) => l.item === 'Fargate')?.basis).toMatch(/^6 tasks/);
  });
});

describe('the flush spacing the Data Service is deployed with', () => {
  it('spaces the flushes of a busy task (a full receive batch per 50 ms) as set, of a quiet one not', () => {
    expect(flushPeriodSeconds(100, 250)).toBe(0.05);
    expect(flushPeriodSeconds(708, 250)).toBe(0.25);
    expect(flushPeriodSeconds(708, 0)).toBe(0.05);
  });

  it("prices a fast fleet's window writes as the soak measured them (bench/README.md, Flush spacing)", () => {
    // 29 devices at 24 readings/s, 2 metrics: measured telemetry 0.17 units per reading at 250 ms, 0.41 at 100, 0.98 at 0.
    const soak: CostInput = {
      devices: 29,
      intervalSeconds: 1 / 24,
      metrics: 2,
      retention: defaultRetention,
      users: 0,
      ingestPath: 'broker',
    };
    const telemetry = (flushSpacingMs?: number) =>
      modelMonthlyCost({ ...soak, ...(flushSpacingMs === undefined ? {} : { flushSpacingMs }) }).writeUnitsPerReading.telemetry;
    expect(telemetry()).toBeCloseTo(1 / 6, 2);
    expect(telemetry(100)).toBeCloseTo(0.5, 2);
    expect(telemetry(0)).toBeCloseTo(1, 1);
    expect(modelMonthlyCost({ ...soak, flushSpacingMs: 0 }).lines.find((l) => l.item === 'DynamoDB writes')?.basis).toContain(
      "1 of a device's readings per flush, flushes 50 ms apart",
    );
    // A fleet with one reading per device and flush at any spacing costs the same either way.
    expect(modelMonthlyCost({ ...small, flushSpacingMs: 0 }).monthlyUsd).toBe(modelMonthlyCost(small).monthlyUsd);
  });
});

describe('writeShape', () => {
  it('shares one window write among the readings of a device in one flush', () => {
    // A device every 10 ms: 5 readings in each 50 ms flush; its latest item written once a second, every 100 readings.
    const fast = writeShape({ intervalSeconds: 0.01, metrics: 1, flushSeconds: 0.05 });
    expect(fast.readingsPerDeviceFlush).toBe(5);
    expect(fast.latestUnitsPerReading).toBeCloseTo(0.01);
    // A device every 5 s: every reading is its own flush and its own latest write.
    expect(writeShape({ intervalSeconds: 5, metrics: 1, flushSeconds: 0.05 }).latestUnitsPerReading).toBe(1);
    // Rollups do not follow the flushes: per 30 s fold, 6 rounds of a minute Put and a mark, then the hour and day Puts and the mark's delete.
    expect(fast.rollupUnitsPerReading).toBeCloseTo(15 / 3000);
    // The window is a chain of items sealed near 1 KB: each write of 5 readings costs one unit.
    expect(fast.telemetryUnitsPerReading).toBeCloseTo(0.2);
  });

  it('prices a fast window as a chain of items of about 1 KB, not one item growing all minute', () => {
    // The bench's soak: 24 readings/s of 2 metrics, 6 to a device's flush. One item would grow to
    // ≈ 75 KB by the minute's end; the chain's items take two flushes each, every write one unit.
    const soak = writeShape({ intervalSeconds: 1 / 24, metrics: 2, flushSeconds: 0.25 });
    expect(soak.readingsPerDeviceFlush).toBe(6);
    expect(soak.telemetryUnitsPerReading).toBeCloseTo(1 / 6);
    // More items hold the same readings: a little more overhead per reading than one item would.
    expect(soak.rawBytesPerReading).toBeGreaterThan(52 + 172 / 1440);
  });

  it('prices the rollups as live ingest writes them: fold marks below the fold interval, a roll-up per reading above it', () => {
    const units = (intervalSeconds: number) => writeShape({ intervalSeconds, metrics: 2, flushSeconds: 0.05 }).rollupUnitsPerReading;
    // Every second: per 30 s, 6 rounds × (minute + mark) + hour + day + the mark's delete = 15 units for 30 readings.
    expect(units(1)).toBeCloseTo(0.5);
    // Every 15 s: each reading its own round (minute + mark), a fold per two readings: (2 × 2 + 3) / 2.
    expect(units(15)).toBeCloseTo(3.5);
    // Every minute: the hour is never folded within 30 s, so each reading rolls up at once: minute, hour, day.
    expect(units(60)).toBe(3);
    // The fold's two Queries are shared by the readings of a fold interval.
    const reads = (intervalSeconds: number) => writeShape({ intervalSeconds, metrics: 2, flushSeconds: 0.05 }).rollupReadUnitsPerReading;
    expect(reads(1)).toBeCloseTo(reads(60) / 30);
  });

  it('spreads the item overhead over the readings of a window', () => {
    const everySecond = writeShape({ intervalSeconds: 1, metrics: 2, flushSeconds: 0.05 });
    const everyMinute = writeShape({ intervalSeconds: 60, metrics: 2, flushSeconds: 0.05 });
    expect(everySecond.rawBytesPerReading).toBeLessThan(everyMinute.rawBytesPerReading);
  });
});
