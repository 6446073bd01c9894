/**
 * Tokenizer for AWS IoT SQL. Strings may use single or double quotes
 * (the AWS docs use both: `'topic/subtopic'`, `parse_time("yyyy", timestamp())`).
 */
import { IotSqlError } from './iot-sql-error.ts';

/** `variable`: a SET clause variable, `@name` (text without the `@`). */
export type TokenKind = 'ident' | 'number' | 'string' | 'variable' | 'op' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Identifier or operator text; the decoded content of a string; the source text of a number. */
  readonly text: string;
  readonly pos: number;
}

const operators = ['<>', '!=', '<=', '>=', '||', '=', '<', '>', '+', '-', '*', '/', '%', '(', ')', '[', ']', '{', '}', ',', '.', ':'];
const identStart = /[A-Za-z_$]/;
const identPart = /[A-Za-z0-9_$]/;
const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '\\': '\\', "'": "'", '"': '"', '/': '/' };

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"') {
      let text = '';
      i++;
      for (;;) {
        if (i >= source.length) throw new IotSqlError('unterminated string literal', start, source);
        const ch = source[i]!;
        if (ch === c) {
          // SQL style doubled quote inside a string: 'it''s'
          if (source[i + 1] === c) {
            text += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (ch === '\\' && i + 1 < source.length) {
          const next = source[i + 1]!;
          if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) {
            text += String.fromCharCode(parseInt(source.slice(i + 2, i + 6), 16));
            i += 6;
            continue;
          }
          text += escapes[next] ?? next;
          i += 2;
          continue;
        }
        text += ch;
        i++;
      }
      tokens.push({ kind: 'string', text, pos: start });
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(i))!;
      tokens.push({ kind: 'number', text: m[0], pos: start });
      i += m[0].length;
      continue;
    }
    if (identStart.test(c)) {
      while (i < source.length && identPart.test(source[i]!)) i++;
      tokens.push({ kind: 'ident', text: source.slice(start, i), pos: start });
      // The FROM topic filter may be written unquoted (`FROM topic/#`, as in some AWS examples):
      // read it raw up to the next blank, since `/`, `+` and `#` are not expression syntax.
      if (source.slice(start, i).toUpperCase() === 'FROM') {
        let j = i;
        while (j < source.length && /\s/.test(source[j]!)) j++;
        const rest = source.slice(j);
        if (rest.length > 0 && !/^['"(]/.test(rest) && /^[^\s]*[/#+]/.test(rest)) {
          const m = /^[^\s]+/.exec(rest)!;
          tokens.push({ kind: 'string', text: m[0], pos: j });
          i = j + m[0].length;
        }
      }
      continue;
    }
    if (c === '@') {
      // [AWS SET clause] "Variable names can contain letters, numbers, and underscores."
      let j = i + 1;
      while (j < source.length && /[A-Za-z0-9_]/.test(source[j]!)) j++;
      if (j === i + 1) throw new IotSqlError("token recognition error at: '@'", start, source);
      tokens.push({ kind: 'variable', text: source.slice(i + 1, j), pos: start });
      i = j;
      continue;
    }
    if (c === '`') {
      // Backquoted identifier, for names that are keywords.
      const end = source.indexOf('`', i + 1);
      if (end < 0) throw new IotSqlError('unterminated quoted identifier', start, source);
      tokens.push({ kind: 'ident', text: source.slice(i + 1, end), pos: start });
      i = end + 1;
      continue;
    }
    const op = operators.find((o) => source.startsWith(o, i));
    if (op === undefined) throw new IotSqlError(`token recognition error at: '${c}'`, start, source);
    tokens.push({ kind: 'op', text: op, pos: start });
    i += op.length;
  }
  tokens.push({ kind: 'eof', text: '', pos: source.length });
  return tokens;
}
