/**
 * The labels under a chart's time axis, in the reader's locale and time zone: times of day within
 * a day or two ("14:05", with seconds when ticks are seconds apart), day and time within a few
 * weeks ("Dec 2, 14:00"), days within a year ("Dec 2"), months beyond ("Dec 2026").
 */
const minute = 60_000;
const hour = 3_600_000;
const day = 86_400_000;

/** `t` a tick (epoch ms), `step` the distance between ticks and `span` the axis range (ms). */
export function timeTick(t: number, step: number, span: number, locale?: string): string {
  const date = new Date(t);
  const format = (options: Intl.DateTimeFormatOptions) => date.toLocaleString(locale, options);
  if (span <= 2 * day)
    return format({ hour: '2-digit', minute: '2-digit', ...(step < minute ? { second: '2-digit' } : {}), hourCycle: 'h23' });
  if (step < day && span <= 60 * day)
    return format({ month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  if (step < 28 * day) return format({ month: 'short', day: 'numeric' });
  return format({ month: 'short', year: 'numeric' });
}

export const tickUnits = { minute, hour, day } as const;
