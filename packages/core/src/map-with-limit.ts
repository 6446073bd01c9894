/**
 * Bounded concurrency over a list, for the services' batched AWS calls and the benchmark's many
 * devices: a fixed number of workers take the next item until none is left. And the pages such
 * calls take (`chunk`: 25 items a BatchWriteItem, 10 entries an SQS batch, 100 device ids a page).
 */

/** Splits `items` into arrays of at most `size`, in order. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `task` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapWithLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
