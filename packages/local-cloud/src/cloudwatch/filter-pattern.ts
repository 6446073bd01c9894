/**
 * A subset of CloudWatch Logs filter pattern syntax
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html):
 * - terms: `ERROR`, `"exact phrase"` — every term must appear (case-sensitive); `-term` excludes;
 *   `?a ?b` matches events holding any of the `?` terms;
 * - JSON: `{ $.field = value }` with `=`, `!=`, `<`, `<=`, `>`, `>=`, `*` wildcards in strings,
 *   `IS NULL`, `NOT EXISTS`, `IS TRUE`, `IS FALSE`, combined with `&&`, `||` and parentheses.
 * Space-delimited (`[a, b]`) patterns and regular expressions are not supported.
 */

export type FilterResult =
  { readonly ok: true; readonly match: (message: string) => boolean } | { readonly ok: false; readonly error: string };

export function compileFilterPattern(pattern: string | undefined): FilterResult {
  const text = (pattern ?? '').trim();
  if (text === '') return { ok: true, match: () => true };
  try {
    if (text.startsWith('{')) return { ok: true, match: compileJsonPattern(text) };
    if (text.startsWith('[') || text.startsWith('%')) {
      return { ok: false, error: 'Space-delimited and regular-expression filter patterns are not supported by the local cloud.' };
    }
    return { ok: true, match: compileTermPattern(text) };
  } catch (err) {
    return { ok: false, error: `Invalid filter pattern: ${(err as Error).message}` };
  }
}

function compileTermPattern(text: string): (message: string) => boolean {
  const tokens = [...text.matchAll(/([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g)].map((m) => ({
    kind: m[1] ?? '',
    term: m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? ''),
  }));
  const required = tokens.filter((t) => t.kind === '').map((t) => t.term);
  const excluded = tokens.filter((t) => t.kind === '-').map((t) => t.term);
  const any = tokens.filter((t) => t.kind === '?').map((t) => t.term);
  return (message) =>
    required.every((t) => message.includes(t)) &&
    !excluded.some((t) => message.includes(t)) &&
    (any.length === 0 || any.some((t) => message.includes(t)));
}

type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'compare'; path: (string | number)[]; op: string; value: string | number | boolean | null; quoted: boolean }
  | { kind: 'exists'; path: (string | number)[]; negate: boolean };

function compileJsonPattern(text: string): (message: string) => boolean {
  if (!text.endsWith('}')) throw new Error('a JSON filter pattern must end with }');
  const tokens = tokenize(text.slice(1, -1));
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => {
    const t = tokens[pos++];
    if (t === undefined) throw new Error('unexpected end of pattern');
    return t;
  };

  function parseOr(): Node {
    let left = parseAnd();
    while (peek() === '||') {
      pos++;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  }
  function parseAnd(): Node {
    let left = parsePrimary();
    while (peek() === '&&') {
      pos++;
      left = { kind: 'and', left, right: parsePrimary() };
    }
    return left;
  }
  function parsePrimary(): Node {
    const t = next();
    if (t === '(') {
      const inner = parseOr();
      if (next() !== ')') throw new Error('missing )');
      return inner;
    }
    if (!t.startsWith('$')) throw new Error(`expected a selector starting with $, found ${t}`);
    const path = parseSelector(t);
    const op = next();
    if (op.toUpperCase() === 'IS') {
      const what = next().toUpperCase();
      if (what === 'NULL') return { kind: 'compare', path, op: '=', value: null, quoted: false };
      if (what === 'TRUE' || what === 'FALSE') return { kind: 'compare', path, op: '=', value: what === 'TRUE', quoted: false };
      throw new Error(`expected NULL, TRUE or FALSE after IS, found ${what}`);
    }
    if (op.toUpperCase() === 'NOT') {
      if (next().toUpperCase() !== 'EXISTS') throw new Error('expected EXISTS after NOT');
      return { kind: 'exists', path, negate: true };
    }
    if (!['=', '!=', '<', '<=', '>', '>='].includes(op)) throw new Error(`unknown operator ${op}`);
    const raw = next();
    if (raw.startsWith('"')) return { kind: 'compare', path, op, value: raw.slice(1, -1).replace(/\\(.)/g, '$1'), quoted: true };
    const num = Number(raw);
    if (raw !== '' && Number.isFinite(num)) return { kind: 'compare', path, op, value: num, quoted: false };
    if (op !== '=' && op !== '!=') throw new Error(`operator ${op} needs a number, found ${raw}`);
    return { kind: 'compare', path, op, value: raw, quoted: false };
  }

  const tree = parseOr();
  if (pos !== tokens.length) throw new Error(`unexpected ${tokens[pos]}`);
  return (message) => {
    let doc: unknown;
    try {
      doc = JSON.parse(message);
    } catch {
      return false;
    }
    return typeof doc === 'object' && doc !== null && evaluate(tree, doc);
  };
}

function tokenize(text: string): string[] {
  const re = /\s*("(?:[^"\\]|\\.)*"|&&|\|\||!=|<=|>=|[=<>()]|[^\s=<>!()&|"]+)\s*/y;
  const tokens: string[] = [];
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m || m[1] === undefined) {
      if (text.slice(at).trim() === '') break;
      throw new Error(`cannot read "${text.slice(at).trim()}"`);
    }
    tokens.push(m[1]);
    at = re.lastIndex;
  }
  return tokens;
}

function parseSelector(selector: string): (string | number)[] {
  const path: (string | number)[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]/y;
  let at = 1;
  while (at < selector.length) {
    re.lastIndex = at;
    const m = re.exec(selector);
    if (!m) throw new Error(`bad selector ${selector}`);
    path.push(m[2] !== undefined ? Number(m[2]) : (m[1] ?? ''));
    at = re.lastIndex;
  }
  if (path.length === 0) throw new Error(`bad selector ${selector}`);
  return path;
}

function resolve(doc: unknown, path: readonly (string | number)[]): { found: boolean; value: unknown } {
  let current: unknown = doc;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !(key in current)) return { found: false, value: undefined };
    current = (current as Record<string | number, unknown>)[key];
  }
  return { found: true, value: current };
}

function evaluate(node: Node, doc: unknown): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, doc) && evaluate(node.right, doc);
    case 'or':
      return evaluate(node.left, doc) || evaluate(node.right, doc);
    case 'exists':
      return resolve(doc, node.path).found !== node.negate;
    case 'compare': {
      const { found, value } = resolve(doc, node.path);
      if (!found) return false;
      const equal = equals(value, node.value);
      if (node.op === '=') return equal;
      if (node.op === '!=') return !equal;
      if (typeof value !== 'number' || typeof node.value !== 'number') return false;
      switch (node.op) {
        case '<':
          return value < node.value;
        case '<=':
          return value <= node.value;
        case '>':
          return value > node.value;
        default:
          return value >= node.value;
      }
    }
  }
}

function equals(actual: unknown, expected: string | number | boolean | null): boolean {
  if (expected === null || typeof expected === 'boolean') return actual === expected;
  if (typeof expected === 'number') return typeof actual === 'number' ? actual === expected : actual === String(expected);
  if (typeof actual !== 'string' && typeof actual !== 'number' && typeof actual !== 'boolean') return false;
  const text = String(actual);
  if (!expected.includes('*')) return text === expected;
  const re = new RegExp(
    `^${expected
      .split('*')
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(text);
}
