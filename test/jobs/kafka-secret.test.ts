import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { expect } from 'chai';
import { runtimeConfig } from '../../jobs/runtime/config.ts';
import { secretsManagerReader, withKafkaCredentials } from '../../jobs/runtime/kafka-secret.ts';
import { useLocalServices } from '../support/services.ts';
import { uniqueId } from './support.ts';

/** Lambda jobs get the Kafka SASL secret's ARN, never its value: they read it at start from Secrets Manager. */
describe('Kafka credentials from Secrets Manager (moto)', () => {
  let client: SecretsManagerClient;
  const secretArn = async (value: string) => {
    const created = await client.send(
      new CreateSecretCommand({ Name: uniqueId('kafka'), SecretString: value }),
    );
    return created.ARN!;
  };

  before(async () => {
    await useLocalServices();
    const config = runtimeConfig();
    client = new SecretsManagerClient({ region: config.awsRegion, endpoint: config.awsEndpoint });
  });
  after(() => client.destroy());

  it('fills username and password from the secret the environment names', async () => {
    // GIVEN a Lambda's environment: mechanism and secret ARN only
    const arn = await secretArn(JSON.stringify({ username: 'audience-io', password: 's3cr3t' }));
    const config = runtimeConfig({
      ...process.env,
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_SECRET_ARN: arn,
    });
    // WHEN
    const completed = await withKafkaCredentials(config, secretsManagerReader(config));
    // THEN
    expect(completed.kafkaSasl).to.deep.equal({
      mechanism: 'scram-sha-512',
      username: 'audience-io',
      password: 's3cr3t',
    });
    expect(completed.kafkaTls).to.equal(true);
  });

  it('leaves a configuration alone when the credentials are already there (Fargate) or SASL is off', async () => {
    const injected = runtimeConfig({
      ...process.env,
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
      KAFKA_SASL_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:never-read',
    });
    const unreadable = async () => {
      throw new Error('must not be read');
    };
    expect(await withKafkaCredentials(injected, unreadable)).to.equal(injected);
    const plain = runtimeConfig({ ...process.env, KAFKA_SASL_MECHANISM: undefined });
    expect(await withKafkaCredentials(plain, unreadable)).to.equal(plain);
  });

  it('names the secret when it lacks a field or is not JSON', async () => {
    for (const [value, reason] of [
      [JSON.stringify({ username: 'u' }), 'lacks a non-empty password'],
      ['not json', 'is not JSON with "username" and "password"'],
    ] as const) {
      const arn = await secretArn(value);
      const config = runtimeConfig({
        ...process.env,
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_SECRET_ARN: arn,
      });
      const error = await withKafkaCredentials(config, secretsManagerReader(config)).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).to.equal(`KAFKA_SASL_SECRET_ARN: secret ${arn} ${reason}`);
    }
  });
});
