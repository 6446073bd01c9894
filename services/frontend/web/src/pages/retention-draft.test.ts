import { defaultRetentionSettings, type RetentionSettings } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import { draftOf, settingsOf } from './retention-draft.ts';

const settings: RetentionSettings = { ...defaultRetentionSettings, groups: { pumps: { rawDays: 90 } } };

describe('the retention as a person edits it', () => {
  it('round-trips the settings, a group keeping only the levels it overrides', () => {
    expect(settingsOf(draftOf(settings))).toEqual({ ok: true, input: { fleet: settings.fleet, groups: settings.groups } });
  });

  it('names a box that is not whole days within the bounds, and a group without a name', () => {
    const draft = draftOf(settings);
    const result = settingsOf({
      fleet: { ...draft.fleet, rawDays: '1.5', archiveDays: '' },
      groups: [...draft.groups, { name: ' ', values: { hourDays: '99999' } }],
    });
    expect(result).toEqual({
      ok: false,
      problems: [
        'fleet: Raw readings is "1.5", expected whole days from 1 to 3650',
        'fleet: S3 archive is "", expected whole days from 1 to 3650',
        'a group override has no group name',
        'group  : 1-hour rollups is "99999", expected whole days from 1 to 3650',
      ],
    });
  });

  it('shows the inconsistencies retentionProblems finds before saving', () => {
    const draft = draftOf(settings);
    const result = settingsOf({ ...draft, groups: [{ name: 'pumps', values: { rawDays: '120' } }] });
    expect(result).toEqual({ ok: false, problems: ['group pumps: minuteDays (90) must be at least rawDays (120)'] });
  });
});
