import { existsSync, readFileSync } from 'node:fs';

/**
 * The `credentials.env` scripts/kafka.sh writes when it formats its broker (KEY=value lines: KAFKA_SASL_MECHANISM and
 * one KAFKA_PASSWORD_<PRINCIPAL> per principal), as the environment of a client that runs as the admin: every
 * KAFKA_PASSWORD_* and KAFKA_SASL_* of the admin. Empty when the file is absent (a broker without authentication).
 * This file imports nothing of ours: the test harness's global setup loads it outside the module mapper.
 */
export function adminEnvFromCredentialsFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const values: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) values[match[1]] = match[2];
  }
  if (!values.KAFKA_SASL_MECHANISM || !values.KAFKA_PASSWORD_ADMIN) throw new Error(`${file} names no KAFKA_SASL_MECHANISM or KAFKA_PASSWORD_ADMIN`);
  return { ...values, KAFKA_SASL_USERNAME: 'admin', KAFKA_SASL_PASSWORD: values.KAFKA_PASSWORD_ADMIN };
}
