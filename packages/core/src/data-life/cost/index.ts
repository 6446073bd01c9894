export * from './prices.ts';
export * from './write-shape.ts';
export * from './model.ts';
