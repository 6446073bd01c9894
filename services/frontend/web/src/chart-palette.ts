/** Series colours of every chart (uPlot strokes), distinct from each other and readable on both themes' backgrounds. */
export const seriesColors = ['#2563eb', '#ea580c', '#16a34a', '#9333ea', '#0891b2', '#be123c', '#4d7c0f', '#be185d'] as const;

/** The colour of the `i`th series, the palette repeating. */
export const seriesColor = (i: number): string => seriesColors[i % seriesColors.length]!;
