/**
 * The fleet's metric display settings for a page that shows values: fetched once, refreshed after
 * a change made on this page. A page shows values with the defaults until they arrive (or when the
 * API cannot answer: formatting never blocks a page).
 */
import { useCallback, useEffect, useState } from 'react';
import type { Api } from './api.ts';
import type { MetricDisplay } from './format.ts';

export function useMetricSettings(api: Api): { display: MetricDisplay; reload: () => void } {
  const [display, setDisplay] = useState<MetricDisplay>({});
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let current = true;
    api.metricSettings().then(
      (answer) =>
        current &&
        setDisplay(Object.fromEntries(answer.settings.map(({ metric, label, unit, decimals }) => [metric, { label, unit, decimals }]))),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [api, version]);
  return { display, reload: useCallback(() => setVersion((v) => v + 1), []) };
}
