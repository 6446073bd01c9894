/**
 * What a simulated device does with its configuration and its commands, without any I/O: the
 * settings it applies from a shadow delta (and what it reports back), and the outcome of a job
 * document. `device-control.ts` wires these to MQTT.
 */
import { deviceSettings, type CommandStatus } from '@fleet/core';

export interface DeviceKnobs {
  /** Seconds between two readings now. */
  readonly reportIntervalSeconds: number;
}

/**
 * The reported state for a delta: known settings are applied when valid (an invalid value is
 * answered with the value in force, so the delta stays visible as pending); any other key is
 * taken as is, as a device that stores custom settings would.
 */
export function settingsToReport(
  delta: Readonly<Record<string, unknown>>,
  knobs: DeviceKnobs,
): { reported: Record<string, unknown>; knobs: DeviceKnobs } {
  const reported: Record<string, unknown> = {};
  let next = knobs;
  for (const [key, value] of Object.entries(delta)) {
    if (key === 'reportIntervalSeconds') {
      const seconds = validInterval(value);
      if (seconds !== undefined) next = { ...next, reportIntervalSeconds: seconds };
      reported[key] = next.reportIntervalSeconds;
    } else {
      reported[key] = value;
    }
  }
  return { reported, knobs: next };
}

export function validInterval(value: unknown): number | undefined {
  const { minimum, maximum } = deviceSettings.reportIntervalSeconds;
  return typeof value === 'number' && Number.isFinite(value) && value >= minimum && value <= maximum ? value : undefined;
}

/** What the device does for a job document, and the final state it reports with its answer. */
export type CommandPlan =
  | { readonly kind: 'reboot' }
  | { readonly kind: 'set-interval'; readonly seconds: number }
  | {
      readonly kind: 'finish';
      readonly status: Extract<CommandStatus, 'SUCCEEDED' | 'FAILED' | 'REJECTED'>;
      readonly answer: Record<string, string>;
    };

export function planCommand(document: unknown): CommandPlan {
  const { command, args } = (typeof document === 'object' && document !== null ? document : {}) as { command?: unknown; args?: unknown };
  const argsOf = (typeof args === 'object' && args !== null ? args : {}) as Record<string, unknown>;
  switch (command) {
    case 'reboot':
      return { kind: 'reboot' };
    case 'set-interval': {
      const seconds = validInterval(argsOf['seconds']);
      if (seconds === undefined) {
        const { minimum, maximum } = deviceSettings.reportIntervalSeconds;
        return { kind: 'finish', status: 'FAILED', answer: { reason: `args.seconds must be a number from ${minimum} to ${maximum}` } };
      }
      return { kind: 'set-interval', seconds };
    }
    case 'ping':
      return { kind: 'finish', status: 'SUCCEEDED', answer: { pong: new Date().toISOString() } };
    default:
      return { kind: 'finish', status: 'REJECTED', answer: { reason: `unknown command ${JSON.stringify(command ?? null).slice(0, 200)}` } };
  }
}
