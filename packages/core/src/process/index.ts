/** `@fleet/core/process`: what every process entry point (`main.ts`) does the same way. */
export { exitGracefullyOnSignal, type GracefulShutdownOptions, type ShutdownLog, type ShutdownProcess } from './graceful-shutdown.ts';
