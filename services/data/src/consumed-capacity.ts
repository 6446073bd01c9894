/**
 * The write units DynamoDB reports for a write asked with `ReturnConsumedCapacity: 'TOTAL'`, handed
 * to the stores' listener (the service counts them as EMF metrics; the bench reads those).
 */

/** Told the units of each write that reports them: an UpdateItem is billed on the larger of the item before and after. */
export type WriteUnitsListener = (units: number) => void;

export function reportWriteUnits(
  out: { readonly ConsumedCapacity?: { readonly CapacityUnits?: number } },
  listener?: WriteUnitsListener,
): void {
  const units = out.ConsumedCapacity?.CapacityUnits;
  if (units !== undefined) listener?.(units);
}
