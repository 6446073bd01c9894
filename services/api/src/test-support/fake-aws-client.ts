/**
 * A recording stand-in for an AWS SDK v3 client in tests: it answers `send(command)` by the
 * command's class name from a handler table and records every call, so tests can assert which
 * AWS calls were made, in which order, with which input. A command without a handler fails the
 * way an unexpected call should: loudly, naming the command.
 */
export interface RecordedCall {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

export type Handler = (input: Record<string, unknown>) => unknown;

export interface FakeAwsClient<Client> {
  readonly client: Client;
  readonly calls: RecordedCall[];
  /** Names of the recorded commands, without the `Command` suffix. */
  names(): string[];
  /** Replaces or adds handlers, e.g. to make one step fail. */
  on(handlers: Record<string, Handler>): void;
}

/** An AWS-shaped service error (the SDK's `ServiceException` carries the code in `name`). */
export function awsError(name: string, message = name): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}

export function fakeAwsClient<Client>(handlers: Record<string, Handler> = {}): FakeAwsClient<Client> {
  const table = new Map(Object.entries(handlers));
  const calls: RecordedCall[] = [];
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const name = command.constructor.name.replace(/Command$/, '');
      calls.push({ command: name, input: command.input });
      const handler = table.get(name);
      if (!handler) throw new Error(`fake AWS client has no handler for ${name}; handled: ${[...table.keys()].join(', ')}`);
      return handler(command.input);
    },
  };
  return {
    client: client as unknown as Client,
    calls,
    names: () => calls.map((c) => c.command),
    on(more) {
      for (const [name, handler] of Object.entries(more)) table.set(name, handler);
    },
  };
}
