/** Makes a dynalite condition parser remember its parses (dynalite's own, already, on import). */
export declare function memoizeConditionParser(parser?: { parse: (expression: string, options: { context: object }) => unknown }): void;
