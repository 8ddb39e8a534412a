import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import type { RuntimeConfig } from './config.ts';

/** What the Kafka credentials secret holds. */
const KafkaCredentials = z.object({ username: z.string().min(1), password: z.string().min(1) });

/** Reads a secret's string value. */
export type SecretReader = (secretArn: string) => Promise<string | undefined>;

/** Reads secrets from Secrets Manager (the endpoint override applies locally). */
export function secretsManagerReader(config: RuntimeConfig): SecretReader {
  return async (secretArn) => {
    const client = new SecretsManagerClient({
      region: config.awsRegion,
      ...(config.awsEndpoint ? { endpoint: config.awsEndpoint } : {}),
    });
    try {
      return (await client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
    } finally {
      client.destroy();
    }
  };
}

/**
 * Completes the Kafka SASL settings from the secret named by KAFKA_SASL_SECRET_ARN, when the environment
 * names one (Lambda has no secret injection). Fails naming the secret when it is missing or malformed.
 */
export async function withKafkaCredentials(
  config: RuntimeConfig,
  readSecret: SecretReader = secretsManagerReader(config),
): Promise<RuntimeConfig> {
  const secretArn = config.kafkaSaslSecretArn;
  if (!secretArn || !config.kafkaSasl || config.kafkaSasl.password) return config;
  const text = await readSecret(secretArn);
  let json: unknown;
  try {
    json = JSON.parse(text ?? '');
  } catch {
    throw new Error(`KAFKA_SASL_SECRET_ARN: secret ${secretArn} is not JSON with "username" and "password"`);
  }
  const parsed = KafkaCredentials.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => String(i.path[0])).join(', ');
    throw new Error(`KAFKA_SASL_SECRET_ARN: secret ${secretArn} lacks a non-empty ${fields}`);
  }
  return { ...config, kafkaSasl: { ...config.kafkaSasl, ...parsed.data } };
}
