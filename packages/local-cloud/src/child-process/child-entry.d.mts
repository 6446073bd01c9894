export declare const memoryCapExitCode: number;
export declare function exitWithParent(cleanup?: () => Promise<void> | void, options?: { maxRssMb?: number; checkEveryMs?: number }): void;
export declare function announceReady(port: number): void;
