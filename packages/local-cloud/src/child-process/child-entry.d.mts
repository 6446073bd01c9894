export declare function exitWithParent(cleanup?: () => Promise<void> | void): void;
export declare function announceReady(port: number): void;
