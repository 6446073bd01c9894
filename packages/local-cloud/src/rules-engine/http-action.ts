/**
 * The HTTP action (https://docs.aws.amazon.com/iot/latest/developerguide/https-rule-action.html):
 * POSTs the SELECT output to `url` with the action's headers (substitution templates), only when
 * the topic rule destination of its `confirmationUrl` (default: the URL) is ENABLED, as AWS; a 2xx
 * answer is success, anything else (or no destination, or no answer within the timeout) fails the
 * action and runs the error action.
 */
import { withVariables } from './template-options.ts';
import { compileTemplate, outputToBytes, type EvaluateOptions, type TopicRuleActionPayload } from '@fleet/core';
import { actionFailure } from './action-failure-message.ts';
import type { PreparedAction } from './rule-actions.ts';

/** The destinations the control plane holds (rules/topic-rules.ts). */
export interface HttpDestinations {
  destinationFor(url: string): { readonly arn: string; readonly status: string } | undefined;
}

/** AWS: "The HTTPS action ... waits up to 3 seconds for a response" — the request times out after that. */
export const httpActionTimeoutMs = 3000;

export function prepareHttpAction(
  action: NonNullable<TopicRuleActionPayload['http']>,
  destinations: HttpDestinations | undefined,
  opts: EvaluateOptions | undefined,
): PreparedAction {
  const url = compileTemplate(action.url);
  const headers = (action.headers ?? []).map((h) => ({ key: h.key, value: compileTemplate(h.value) }));
  return {
    kind: 'http',
    async run(message, output, variables) {
      const target = url.render(message, withVariables(opts, variables));
      try {
        const confirmationUrl = action.confirmationUrl ?? target;
        const destination = destinations?.destinationFor(confirmationUrl);
        if (destination?.status !== 'ENABLED') {
          throw new Error(
            destination
              ? `the topic rule destination ${destination.arn} is ${destination.status}, not ENABLED`
              : `no confirmed topic rule destination for ${confirmationUrl}`,
          );
        }
        const response = await fetch(target, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...Object.fromEntries(headers.map((h) => [h.key, h.value.render(message, withVariables(opts, variables))])),
          },
          body: outputToBytes(output),
          signal: AbortSignal.timeout(httpActionTimeoutMs),
        });
        await response.arrayBuffer();
        if (response.status < 200 || response.status > 299) throw new Error(`the endpoint answered HTTP ${response.status}`);
        return undefined;
      } catch (err) {
        return actionFailure('HttpAction', target, 'send HTTP request', err, message, `Action: http, Url: ${target}`);
      }
    },
  };
}
