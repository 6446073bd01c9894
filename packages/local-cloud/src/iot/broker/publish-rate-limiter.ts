/**
 * Per-connection publish rate limit, as AWS IoT Core's "100 publish requests per second per
 * connection" quota: a token bucket refilled at `perSecond`, holding at most `perSecond` tokens
 * (a one-second burst). Pure: the clock is passed in.
 */
export interface RateLimiter {
  /** True when one more publish is within the limit (and counts it). */
  tryTake(now: number): boolean;
}

export function createRateLimiter(perSecond: number, startedAt: number): RateLimiter {
  if (!(perSecond > 0)) throw new Error(`Rate limit must be a positive number of publishes per second, received ${perSecond}`);
  let tokens = perSecond;
  let last = startedAt;
  return {
    tryTake(now) {
      tokens = Math.min(perSecond, tokens + ((now - last) / 1000) * perSecond);
      last = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
