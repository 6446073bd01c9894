/**
 * The AWS IoT SQL versions a rule can ask for with `awsIotSqlVersion`
 * (https://docs.aws.amazon.com/iot/latest/developerguide/iot-rule-sql-version.html).
 * `beta` is the newest engine; AWS documents no difference from 2016-03-23, so it evaluates as 2016-03-23.
 */
export type SqlVersion = '2015-10-08' | '2016-03-23' | 'beta';

export const defaultSqlVersion: SqlVersion = '2016-03-23';

export const sqlVersions: readonly SqlVersion[] = ['2015-10-08', '2016-03-23', 'beta'];

/** True when a feature introduced in 2016-03-23 (literals, nested queries, encode, ...) is available. */
export const hasSqlV2 = (version: SqlVersion): boolean => version !== '2015-10-08';
