/**
 * Reads and writes `endpoints.json` against its one schema (`endpoints-file-schema.ts`). A bad
 * file fails with the file's path and every bad field, at the start of the client that reads it,
 * not as `undefined` deep inside an MQTT connect.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { EndpointsFileSchema, LocalEndpointsFileSchema, type EndpointsFile, type LocalEndpointsFile } from './endpoints-file-schema.ts';

const anyFile = Compile(EndpointsFileSchema);
const localFile = Compile(LocalEndpointsFileSchema);

type Validator<T extends TSchema> = ReturnType<typeof Compile<T>>;

/** Checks parsed JSON; throws naming `file` and each bad field with what it holds. */
function validated<T extends TSchema>(validator: Validator<T>, value: unknown, file: string, what: string): Static<T> {
  if (validator.Check(value)) return value;
  const fields = [...validator.Errors(value)].slice(0, 10).map((error) => {
    const path = error.instancePath.split('/').slice(1).join('.');
    if (error.keyword === 'required') {
      const missing = (error.params as { requiredProperties?: string[] }).requiredProperties ?? [];
      return missing.map((field) => `field "${[path, field].filter(Boolean).join('.')}" is missing`).join('; ');
    }
    return `field "${path || '(the whole file)'}" is ${JSON.stringify(valueAt(value, error.instancePath)) ?? 'undefined'}: ${expectation(error)}`;
  });
  throw new Error(`${file} is not ${what}: ${fields.join('; ')}`);
}

/** TypeBox's message, except for the URL patterns of the schema, said as the URL they ask for. */
function expectation(error: { keyword: string; message: string; params: unknown }): string {
  const scheme = /^\^\(([a-z?]+)\):\/\//.exec((error.params as { pattern?: string }).pattern ?? '')?.[1];
  return error.keyword === 'pattern' && scheme ? `must be a ${scheme.replace('s?', '(s)')} URL` : error.message;
}

function valueAt(root: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), root);
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new Error(
      `cannot read the endpoints file ${file} (${code}): npm start writes it for the local cloud, npm run endpoints -w infra for a deployed stack`,
      { cause: err },
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${file} is not JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** An endpoints file of any Fleet: a deployed stack's or the local cloud's. */
export async function readEndpointsFile(file: string): Promise<EndpointsFile> {
  return validated(anyFile, await readJson(file), file, 'a Fleet endpoints file');
}

/** The local cloud's endpoints file, with the local-only fields (`npm start`'s `<data>/endpoints.json`). */
export async function readLocalEndpointsFile(file: string): Promise<LocalEndpointsFile> {
  return validated(localFile, await readJson(file), file, "the local cloud's endpoints file");
}

/** Validates (a writer's bug fails here, not in a client) and writes `endpoints` as JSON. */
export async function writeEndpointsFile(file: string, endpoints: EndpointsFile): Promise<void> {
  validated(anyFile, endpoints, file, 'a Fleet endpoints file');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(endpoints, null, 2)}\n`);
}
