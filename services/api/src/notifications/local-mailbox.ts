/**
 * The local cloud's mailbox: e-mail notifications the SNS stand-in "sent" (`GET /_fleet/mailbox` on
 * its AWS port). Only the local launcher gives its URL (LOCAL_MAILBOX_URL); on AWS there is none,
 * since mail goes to real inboxes. Its answer is checked against core's `MailboxSchema`.
 */
import { answerChecker, MailboxSchema, type Mailbox } from '@fleet/core';
import { apiError } from '../errors.ts';

export interface LocalMailbox {
  read(): Promise<Mailbox>;
}

export interface LocalMailboxDeps {
  /** Absent on AWS. */
  readonly url: string | undefined;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default 5000 */
  readonly timeoutMs?: number;
}

const checkMailbox = answerChecker(MailboxSchema);

export function createLocalMailbox(deps: LocalMailboxDeps): LocalMailbox {
  const fetchMailbox = deps.fetch ?? globalThis.fetch;
  return {
    async read() {
      if (deps.url === undefined) {
        throw apiError('NotFound', 'This platform has no local mailbox: it runs on AWS, where notification e-mail goes to real inboxes');
      }
      let answer: Response;
      try {
        answer = await fetchMailbox(deps.url, { signal: AbortSignal.timeout(deps.timeoutMs ?? 5000) });
      } catch (err) {
        throw apiError('BadGateway', 'The local mailbox did not answer', { cause: err });
      }
      if (answer.status === 404) throw apiError('NotFound', 'The local cloud serves no mailbox (its SNS stand-in is not running)');
      if (!answer.ok) throw apiError('BadGateway', `The local mailbox answered ${answer.status}`);
      const checked = checkMailbox(await answer.json().catch(() => undefined));
      if (!checked.ok)
        throw apiError('BadGateway', 'The local mailbox answered in an unexpected shape', {
          cause: new Error(checked.problems.join('; ')),
        });
      return checked.value;
    },
  };
}
