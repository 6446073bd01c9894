/**
 * The subset of S3 bucket lifecycle configurations the local cloud keeps and enforces: rules that
 * expire current objects a number of days after their creation, by key prefix
 * (PutBucketLifecycleConfiguration, https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html).
 * What it does not enforce (transitions, noncurrent versions, tags, dates, object sizes, aborting
 * multipart uploads) is refused with S3's `NotImplemented` rather than accepted and ignored, so a
 * caller never believes a rule is in force locally when it is not.
 */
import { unescapeXml } from './s3-request-target.ts';

/** One kept rule. */
export interface LifecycleRule {
  readonly id: string;
  readonly prefix: string;
  readonly enabled: boolean;
  readonly expirationDays: number;
}

export type LifecycleParse =
  | { readonly ok: true; readonly rules: LifecycleRule[] }
  | {
      readonly ok: false;
      readonly code: 'MalformedXML' | 'InvalidArgument' | 'InvalidRequest' | 'NotImplemented';
      readonly message: string;
    };

/** S3 allows at most 1,000 rules in a configuration. */
export const maxLifecycleRules = 1000;

const supportedInRule = new Set(['ID', 'Filter', 'Prefix', 'Status', 'Expiration', 'Days']);
const elementsOf = (xml: string) => [...xml.matchAll(/<([A-Za-z][\w.-]*)[\s/>]/g)].map((m) => m[1] ?? '');
const textOf = (xml: string, name: string) => {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml) ?? new RegExp(`<${name}\\s*/>`).exec(xml);
  return match ? unescapeXml(match[1] ?? '') : undefined;
};

export function parseLifecycleConfiguration(body: string): LifecycleParse {
  const malformed = (message: string): LifecycleParse => ({
    ok: false,
    code: 'MalformedXML',
    message: `The XML you provided was not well-formed or did not validate against our published schema: ${message}`,
  });
  if (!/<LifecycleConfiguration[\s>][\s\S]*<\/LifecycleConfiguration>/.test(body))
    return malformed('expected a <LifecycleConfiguration> document');
  const blocks = [...body.matchAll(/<Rule>([\s\S]*?)<\/Rule>/g)].map((m) => m[1] ?? '');
  if (blocks.length === 0) return malformed('expected at least one <Rule>');
  if (blocks.length > maxLifecycleRules)
    return {
      ok: false,
      code: 'InvalidRequest',
      message: `A lifecycle configuration holds at most ${maxLifecycleRules} rules, received ${blocks.length}.`,
    };
  const rules: LifecycleRule[] = [];
  for (const [i, block] of blocks.entries()) {
    const unsupported = elementsOf(block).filter((name) => !supportedInRule.has(name));
    if (unsupported.length > 0) {
      return {
        ok: false,
        code: 'NotImplemented',
        message: `The local cloud's S3 enforces Expiration in Days by Prefix only; rule ${i + 1} has ${[...new Set(unsupported)].join(', ')}.`,
      };
    }
    const status = textOf(block, 'Status');
    if (status !== 'Enabled' && status !== 'Disabled')
      return malformed(`rule ${i + 1}: <Status> must be Enabled or Disabled, received ${JSON.stringify(status)}`);
    const expiration = /<Expiration>([\s\S]*?)<\/Expiration>/.exec(block)?.[1];
    const daysText = expiration === undefined ? undefined : textOf(expiration, 'Days');
    if (daysText === undefined) return malformed(`rule ${i + 1}: expected <Expiration><Days>`);
    const days = Number(daysText);
    if (!/^\d+$/.test(daysText.trim()) || days <= 0)
      return {
        ok: false,
        code: 'InvalidArgument',
        message: `'Days' for Expiration action must be a positive integer, received ${JSON.stringify(daysText)} in rule ${i + 1}.`,
      };
    const filter = /<Filter>([\s\S]*?)<\/Filter>|<Filter\s*\/>/.exec(block);
    const prefix = (filter ? textOf(filter[1] ?? '', 'Prefix') : textOf(block, 'Prefix')) ?? '';
    const id = textOf(block, 'ID') ?? `rule-${i + 1}`;
    if (id.length > 255)
      return {
        ok: false,
        code: 'InvalidArgument',
        message: `ID length should not exceed allowed limit of 255, received ${id.length} characters.`,
      };
    if (rules.some((r) => r.id === id))
      return { ok: false, code: 'InvalidArgument', message: `Rule ID must be unique. Found same ID for more than one rule: ${id}` };
    rules.push({ id, prefix, enabled: status === 'Enabled', expirationDays: days });
  }
  return { ok: true, rules };
}

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** GetBucketLifecycleConfiguration's answer. */
export function lifecycleConfigurationXml(rules: readonly LifecycleRule[]): string {
  const ruleXml = rules.map(
    (r) =>
      `<Rule><ID>${escapeXml(r.id)}</ID><Filter><Prefix>${escapeXml(r.prefix)}</Prefix></Filter>` +
      `<Status>${r.enabled ? 'Enabled' : 'Disabled'}</Status><Expiration><Days>${r.expirationDays}</Days></Expiration></Rule>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${ruleXml.join('')}</LifecycleConfiguration>`;
}

/**
 * When an object created at `createdMs` expires under a rule of `days`: "Amazon S3 calculates the
 * time by adding the number of days specified in the rule to the object creation time and rounding
 * the resulting time to the next day midnight UTC"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html).
 */
export function expiresAtMs(createdMs: number, days: number): number {
  const dayMs = 86_400_000;
  const due = createdMs + days * dayMs;
  return due % dayMs === 0 ? due : due - (due % dayMs) + dayMs;
}
