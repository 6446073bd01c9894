/** The shape of one SNS operation: Query parameters in, the `<OpResult>` content out (undefined: no result element). */
import type { XmlValue } from './query-response.ts';

export interface SnsCaller {
  /** Whether the request carried a SigV4 signature (ConfirmSubscription's AuthenticateOnUnsubscribe needs one). */
  readonly signed: boolean;
}

export type SnsOperation = (params: URLSearchParams, caller: SnsCaller) => Promise<XmlValue>;
