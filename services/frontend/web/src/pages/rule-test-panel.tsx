/**
 * The rules test bench: runs a SQL statement on one sample message (POST /api/rules/test, the same
 * evaluator as the rules engine) and shows the output JSON, "no match", or the SQL error with a
 * caret under its position.
 */
import { sqlErrorPosition, type RuleTestResult } from '@fleet/core';
import { useState } from 'react';
import { ApiError, type Api } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { useSubmit } from '../form-kit.tsx';
import { typedValue } from '../format.ts';

export const sampleTopic = 'fleet/devices/sensor-1/telemetry';
export const samplePayload = '{ "ts": 1732440000000, "seq": 1, "temperature": 82.5 }';

/** The line of `sql` holding `position` and a caret under it. */
function pointAt(sql: string, position: number): string {
  const start = sql.lastIndexOf('\n', position - 1) + 1;
  const end = sql.indexOf('\n', position);
  const line = sql.slice(start, end === -1 ? undefined : end);
  return `${line}\n${' '.repeat(Math.max(0, position - start))}^`;
}

function TestResult(props: { result: RuleTestResult }) {
  const { result } = props;
  if (!result.matched) return <p data-testid="rule-test-no-match">No match: the topic is not in FROM, or WHERE does not hold.</p>;
  return (
    <>
      <p className="muted">Output of the rule (what its actions receive):</p>
      <pre data-testid="rule-test-output">
        {result.outputBase64 !== undefined ? `raw bytes (base64): ${result.outputBase64}` : JSON.stringify(result.output ?? null, null, 2)}
      </pre>
    </>
  );
}

export function RuleTestPanel(props: { api: Api; sql: string; onSqlChange: (sql: string) => void }) {
  const { sql, onSqlChange } = props;
  const [topic, setTopic] = useState(sampleTopic);
  const [payload, setPayload] = useState(samplePayload);
  const [result, setResult] = useState<RuleTestResult>();
  const { error, busy, run } = useSubmit();
  const position = error instanceof ApiError ? sqlErrorPosition(error.message) : undefined;
  return (
    <section className="card" aria-labelledby="rule-test-title">
      <h2 id="rule-test-title">Test a rule</h2>
      <p className="muted">Run a SQL statement on a sample message, as AWS IoT would.</p>
      <form
        className="wide"
        onSubmit={run(async () => {
          setResult(undefined);
          setResult(await props.api.testRule({ sql, topic, payload: typedValue(payload) }));
        })}
      >
        <label>
          SQL statement
          <textarea name="test-sql" value={sql} onChange={(e) => onSqlChange(e.target.value)} required />
        </label>
        <label>
          Topic of the sample message
          <input name="test-topic" value={topic} onChange={(e) => setTopic(e.target.value)} required />
        </label>
        <label>
          Sample payload (JSON, or any text)
          <textarea name="test-payload" value={payload} onChange={(e) => setPayload(e.target.value)} />
        </label>
        <button type="submit" disabled={busy}>
          Run test
        </button>
      </form>
      <ErrorNotice error={error} />
      {position !== undefined && <pre data-testid="rule-test-error-position">{pointAt(sql, position)}</pre>}
      {result && <TestResult result={result} />}
    </section>
  );
}
