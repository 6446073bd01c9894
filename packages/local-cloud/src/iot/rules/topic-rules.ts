/**
 * Topic rules and topic rule destinations as the AWS IoT control plane keeps them (CreateTopicRule,
 * ReplaceTopicRule, GetTopicRule, ListTopicRules, DeleteTopicRule, Enable/DisableTopicRule and the
 * *TopicRuleDestination operations), and the rule set the rules engine runs: every accepted change
 * is durable (topic-rule-store.ts) before it is answered, and bumps `revision`, so the engine picks
 * it up for the next message.
 *
 * AWS behaviours copied: a name already used → `ResourceAlreadyExistsException` (409); an unknown
 * rule on Get/Replace/Delete/Enable/Disable → `UnauthorizedException` (401), as AWS IoT answers for
 * rules it does not have; a destination starts IN_PROGRESS and AWS POSTs a confirmation message
 * (`DestinationConfirmation`) to its confirmation URL; ConfirmTopicRuleDestination with its token
 * makes it ENABLED (https://docs.aws.amazon.com/iot/latest/developerguide/rule-destination.html).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { compileRule, topicRuleNamePattern, topicRuleSqlVersion, type TopicRulePayload } from '@fleet/core';
import type { Logger } from 'pino';
import { AwsError } from '../../aws-endpoint/index.ts';
import type { DestinationRecord, DestinationStatus, TopicRuleRecord, TopicRuleStore } from './topic-rule-store.ts';
import { validateTopicRulePayload } from './validate-topic-rule-payload.ts';

const invalid = (message: string) => new AwsError('InvalidRequestException', message, 400);
const unauthorized = (ruleName: string) =>
  new AwsError('UnauthorizedException', `The rule ${ruleName} does not exist in this account or you may not access it`, 401);
const destinationNotFound = (arn: string) => new AwsError('ResourceNotFoundException', `Topic rule destination ${arn} does not exist`, 404);

/** The confirmation message AWS IoT POSTs to a new HTTP destination. */
export interface DestinationConfirmation {
  readonly arn: string;
  readonly confirmationToken: string;
  readonly enableUrl: string;
  readonly messageType: 'DestinationConfirmation';
}

export interface TopicRulesDeps {
  readonly store: TopicRuleStore;
  /** `arn:aws:iot:<region>:<account>:<resource>`. */
  readonly arn: (resource: string) => string;
  /** The URL that confirms a destination by its token (AWS: `https://iot.<region>.amazonaws.com/confirmdestination/<token>`). */
  readonly enableUrl: (token: string) => string;
  /** POSTs the confirmation message; rejects when the endpoint did not answer 2xx. @default fetch */
  readonly sendConfirmation?: (url: string, message: DestinationConfirmation) => Promise<void>;
  readonly now?: () => number;
  readonly log?: Logger;
}

export interface TopicRuleView extends TopicRuleRecord {
  readonly ruleDisabled: boolean;
}

export interface TopicRules {
  create(ruleName: string, payload: unknown): Promise<void>;
  replace(ruleName: string, payload: unknown): Promise<void>;
  get(ruleName: string): TopicRuleRecord;
  list(filter: { readonly topic?: string; readonly ruleDisabled?: boolean }): readonly TopicRuleRecord[];
  delete(ruleName: string): Promise<void>;
  setDisabled(ruleName: string, disabled: boolean): Promise<void>;
  createDestination(confirmationUrl: string): Promise<DestinationRecord>;
  confirmDestination(token: string): Promise<void>;
  getDestination(arn: string): DestinationRecord;
  listDestinations(): readonly DestinationRecord[];
  updateDestination(arn: string, status: string): Promise<void>;
  deleteDestination(arn: string): Promise<void>;
  /** The destination an HTTP action's URL goes to: the one whose confirmation URL is the longest prefix of it. */
  destinationFor(url: string): DestinationRecord | undefined;
  /** Grows by one with every change of a rule: the engine rebuilds its rule set when it moved. */
  readonly revision: number;
  /** Every rule, in name order. */
  rules(): readonly TopicRuleRecord[];
  /** Resolves when confirmation messages sent so far were delivered or failed (tests). */
  settled(): Promise<void>;
}

async function postConfirmation(url: string, message: DestinationConfirmation): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) });
  await response.arrayBuffer();
  if (response.status < 200 || response.status > 299) throw new Error(`the confirmation URL answered HTTP ${response.status}`);
}

export function createTopicRules(deps: TopicRulesDeps): TopicRules {
  const { store, log } = deps;
  const now = deps.now ?? Date.now;
  const send = deps.sendConfirmation ?? postConfirmation;
  let revision = 0;
  const sending = new Set<Promise<void>>();

  const requireRule = (ruleName: string): TopicRuleRecord => {
    const rule = Object.hasOwn(store.state.rules, ruleName) ? store.state.rules[ruleName] : undefined;
    if (!rule) throw unauthorized(ruleName);
    return rule;
  };
  const requireDestination = (arn: string): DestinationRecord => {
    const found = Object.hasOwn(store.state.destinations, arn) ? store.state.destinations[arn] : undefined;
    if (!found) throw destinationNotFound(arn);
    return found;
  };
  const checkName = (ruleName: string) => {
    if (!topicRuleNamePattern.test(ruleName)) {
      throw invalid(`Rule name "${ruleName}" must match ${topicRuleNamePattern.source} (letters, digits and _, up to 128)`);
    }
  };

  async function putRule(record: TopicRuleRecord): Promise<void> {
    await store.commit({ ...store.state, rules: { ...store.state.rules, [record.ruleName]: record } });
    revision++;
  }

  async function putDestination(record: DestinationRecord): Promise<void> {
    await store.commit({ ...store.state, destinations: { ...store.state.destinations, [record.arn]: record } });
  }

  /** Sends the confirmation message in the background: AWS answers CreateTopicRuleDestination before it is delivered. */
  function sendConfirmation(record: DestinationRecord): void {
    const message: DestinationConfirmation = {
      arn: record.arn,
      confirmationToken: record.confirmationToken,
      enableUrl: deps.enableUrl(record.confirmationToken),
      messageType: 'DestinationConfirmation',
    };
    const delivery = send(record.confirmationUrl, message).catch(async (err: unknown) => {
      const reason = err instanceof Error ? err.message : String(err);
      log?.warn({ arn: record.arn, url: record.confirmationUrl, reason }, 'topic rule destination: confirmation not delivered');
      const current = store.state.destinations[record.arn];
      if (current?.status === 'IN_PROGRESS' && current.confirmationToken === record.confirmationToken) {
        await putDestination({
          ...current,
          status: 'ERROR',
          statusReason: `The confirmation could not be delivered: ${reason}`,
          lastUpdatedAt: now(),
        });
      }
    });
    const tracked = delivery.finally(() => sending.delete(tracked));
    sending.add(tracked);
  }

  return {
    async create(ruleName, raw) {
      checkName(ruleName);
      const payload = validateTopicRulePayload(ruleName, raw);
      if (Object.hasOwn(store.state.rules, ruleName)) {
        throw new AwsError('ResourceAlreadyExistsException', `Topic rule ${ruleName} already exists`, 409);
      }
      await putRule({ ruleName, ruleArn: deps.arn(`rule/${ruleName}`), payload, createdAt: now() });
      log?.info({ ruleName, sql: payload.sql, disabled: payload.ruleDisabled }, 'topic rule created');
    },
    async replace(ruleName, raw) {
      checkName(ruleName);
      const existing = requireRule(ruleName);
      const payload = validateTopicRulePayload(ruleName, raw);
      await putRule({ ...existing, payload });
      log?.info({ ruleName, sql: payload.sql, disabled: payload.ruleDisabled }, 'topic rule replaced');
    },
    get: requireRule,
    list({ topic, ruleDisabled }) {
      return Object.values(store.state.rules)
        .filter((r) => topic === undefined || topicPatternOf(r.payload) === topic)
        .filter((r) => ruleDisabled === undefined || (r.payload.ruleDisabled === true) === ruleDisabled)
        .sort((a, b) => (a.ruleName < b.ruleName ? -1 : 1));
    },
    async delete(ruleName) {
      requireRule(ruleName);
      const rules = { ...store.state.rules };
      delete rules[ruleName];
      await store.commit({ ...store.state, rules });
      revision++;
      log?.info({ ruleName }, 'topic rule deleted');
    },
    async setDisabled(ruleName, disabled) {
      const existing = requireRule(ruleName);
      await putRule({ ...existing, payload: { ...existing.payload, ruleDisabled: disabled } });
      log?.info({ ruleName, disabled }, disabled ? 'topic rule disabled' : 'topic rule enabled');
    },
    async createDestination(confirmationUrl) {
      let url: URL;
      try {
        url = new URL(confirmationUrl);
      } catch {
        throw invalid(`confirmationUrl "${confirmationUrl}" is not a URL`);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:')
        throw invalid(`confirmationUrl "${confirmationUrl}" must be an https (or local http) URL`);
      if (Object.values(store.state.destinations).some((d) => d.confirmationUrl === confirmationUrl)) {
        throw new AwsError('ResourceAlreadyExistsException', `A topic rule destination for ${confirmationUrl} already exists`, 409);
      }
      const at = now();
      const record: DestinationRecord = {
        arn: deps.arn(`ruledestination/http/${randomUUID()}`),
        confirmationUrl,
        status: 'IN_PROGRESS',
        statusReason: 'A confirmation message was sent to the confirmation URL',
        confirmationToken: randomBytes(32).toString('hex'),
        createdAt: at,
        lastUpdatedAt: at,
      };
      await putDestination(record);
      sendConfirmation(record);
      return record;
    },
    async confirmDestination(token) {
      const found = Object.values(store.state.destinations).find((d) => d.confirmationToken === token);
      if (!found) throw invalid('The confirmation token is not valid');
      if (found.status !== 'IN_PROGRESS' && found.status !== 'ERROR') return;
      await putDestination({ ...found, status: 'ENABLED', statusReason: '', lastUpdatedAt: now() });
      log?.info({ arn: found.arn }, 'topic rule destination confirmed');
    },
    getDestination: requireDestination,
    listDestinations: () => Object.values(store.state.destinations).sort((a, b) => a.createdAt - b.createdAt || (a.arn < b.arn ? -1 : 1)),
    async updateDestination(arn, status) {
      const found = requireDestination(arn);
      const next = status as DestinationStatus;
      // AWS: ENABLED only from DISABLED (a destination is enabled by confirming it); IN_PROGRESS
      // sends a new confirmation message; DISABLED stops deliveries.
      if (next === 'ENABLED') {
        if (found.status === 'ENABLED') return;
        if (found.status !== 'DISABLED') throw invalid(`Destination ${arn} is ${found.status}: confirm it before enabling it`);
        return putDestination({ ...found, status: 'ENABLED', statusReason: '', lastUpdatedAt: now() });
      }
      if (next === 'DISABLED') return putDestination({ ...found, status: 'DISABLED', statusReason: '', lastUpdatedAt: now() });
      if (next === 'IN_PROGRESS') {
        const record: DestinationRecord = {
          ...found,
          status: 'IN_PROGRESS',
          statusReason: 'A confirmation message was sent to the confirmation URL',
          confirmationToken: randomBytes(32).toString('hex'),
          lastUpdatedAt: now(),
        };
        await putDestination(record);
        return sendConfirmation(record);
      }
      throw invalid(`status must be ENABLED, DISABLED or IN_PROGRESS, received "${status}"`);
    },
    async deleteDestination(arn) {
      const found = requireDestination(arn);
      const destinations = { ...store.state.destinations };
      delete destinations[found.arn];
      await store.commit({ ...store.state, destinations });
    },
    destinationFor(url) {
      return Object.values(store.state.destinations)
        .filter((d) => url.startsWith(d.confirmationUrl))
        .sort((a, b) => b.confirmationUrl.length - a.confirmationUrl.length)[0];
    },
    get revision() {
      return revision;
    },
    rules: () => Object.values(store.state.rules).sort((a, b) => (a.ruleName < b.ruleName ? -1 : 1)),
    async settled() {
      while (sending.size > 0) await Promise.allSettled([...sending]);
    },
  };
}

/** The FROM clause's topic filter, as ListTopicRules answers it (`topicPattern`) and filters on (`topic`); empty without FROM. */
export function topicPatternOf(payload: TopicRulePayload): string {
  return compileRule(payload.sql, { awsIotSqlVersion: topicRuleSqlVersion(payload) }).topicFilter;
}
