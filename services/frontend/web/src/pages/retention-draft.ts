/**
 * The retention as a person edits it: every field a text box (a group's empty box inherits the
 * fleet's value), turned back into the API's settings with every problem named before saving —
 * the whole-number bounds of the schema and `retentionProblems` (a coarser level kept shorter
 * than a finer one leaves holes in long charts).
 */
import {
  retentionLevels,
  retentionLimits,
  retentionProblems,
  type GroupRetention,
  type RetentionPolicy,
  type RetentionSettings,
  type RetentionSettingsInput,
} from '@fleet/core';

export const policyFields = [...retentionLevels, 'archiveDays'] as const;
export type PolicyField = (typeof policyFields)[number];

export const fieldLabels: Record<PolicyField, string> = {
  rawDays: 'Raw readings',
  minuteDays: '1-minute rollups',
  hourDays: '1-hour rollups',
  dayDays: '1-day rollups',
  archiveDays: 'S3 archive',
};

export interface RetentionDraft {
  readonly fleet: Record<PolicyField, string>;
  readonly groups: readonly { readonly name: string; readonly values: Partial<Record<PolicyField, string>> }[];
}

export function draftOf(settings: RetentionSettings): RetentionDraft {
  return {
    fleet: Object.fromEntries(policyFields.map((f) => [f, String(settings.fleet[f])])) as Record<PolicyField, string>,
    groups: Object.entries(settings.groups).map(([name, policy]) => ({
      name,
      values: Object.fromEntries(retentionLevels.flatMap((l) => (policy[l] === undefined ? [] : [[l, String(policy[l])]]))),
    })),
  };
}

/** The settings a draft stands for, or every problem that keeps it from being saved. */
export function settingsOf(draft: RetentionDraft): { ok: true; input: RetentionSettingsInput } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const days = (where: string, field: PolicyField, text: string): number => {
    const value = Number(text.trim());
    if (text.trim() === '' || !Number.isInteger(value) || value < retentionLimits.minDays || value > retentionLimits.maxDays) {
      problems.push(
        `${where}: ${fieldLabels[field]} is "${text}", expected whole days from ${retentionLimits.minDays} to ${retentionLimits.maxDays}`,
      );
    }
    return value;
  };
  const fleet = Object.fromEntries(policyFields.map((f) => [f, days('fleet', f, draft.fleet[f])])) as RetentionPolicy;
  const groups: Record<string, GroupRetention> = {};
  for (const { name, values } of draft.groups) {
    if (!name.trim()) problems.push('a group override has no group name');
    else if (name in groups) problems.push(`group ${name} is listed twice`);
    const policy: GroupRetention = {};
    for (const level of retentionLevels) {
      const text = values[level] ?? '';
      if (text.trim() !== '') policy[level] = days(`group ${name}`, level, text);
    }
    groups[name.trim()] = policy;
  }
  if (problems.length > 0) return { ok: false, problems };
  const input = { fleet, groups };
  const inconsistent = retentionProblems(input);
  return inconsistent.length > 0 ? { ok: false, problems: inconsistent } : { ok: true, input };
}
