import rdkafka from '@confluentinc/kafka-javascript';
import { expect } from 'chai';
import { runtimeConfig } from '../../jobs/runtime/config.ts';
import { KafkaCallTimedOut, kafkaGlobalConfig, nativeCallWithin } from '../../jobs/runtime/kafka-client.ts';

describe('the Kafka client settings', () => {
  it('connects in plain text to the configured brokers without SASL', () => {
    const config = kafkaGlobalConfig(runtimeConfig({ KAFKA_BROKERS: 'a:9092, b:9092' }), 'job');
    expect(config).to.include({
      'bootstrap.servers': 'a:9092,b:9092',
      'client.id': 'job',
      'security.protocol': 'plaintext',
    });
    expect(config).not.to.have.property('sasl.mechanisms');
  });

  it('turns SASL SCRAM into librdkafka settings, over TLS unless KAFKA_TLS says otherwise', () => {
    const env = {
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'importer',
      KAFKA_SASL_PASSWORD: 'secret',
    };
    expect(kafkaGlobalConfig(runtimeConfig(env), 'job')).to.include({
      'security.protocol': 'sasl_ssl',
      'sasl.mechanisms': 'SCRAM-SHA-512',
      'sasl.username': 'importer',
      'sasl.password': 'secret',
    });
    expect(kafkaGlobalConfig(runtimeConfig({ ...env, KAFKA_TLS: 'false' }), 'job')).to.include({
      'security.protocol': 'sasl_plaintext',
    });
    expect(kafkaGlobalConfig(runtimeConfig({ KAFKA_TLS: 'true' }), 'job')).to.include({
      'security.protocol': 'ssl',
    });
  });

  it('names only properties the librdkafka built here knows, and it has TLS and SCRAM (OpenSSL)', () => {
    expect(rdkafka.features).to.include.members(['ssl', 'sasl_scram', 'sasl_plain']);
    for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512']) {
      const env = { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' };
      // Every property name is checked when a client is created, before any connection.
      expect(() => new rdkafka.Producer(kafkaGlobalConfig(runtimeConfig(env), 'job'))).not.to.throw();
    }
    expect(() => new rdkafka.Producer({ 'sasl.mechanism.typo': 'PLAIN' } as never)).to.throw(
      /No such configuration/,
    );
  });

  it('gives a native call that never answers up after its time, as a retriable timeout', async () => {
    const never = nativeCallWithin(50, 'send checkpoint', () => undefined);
    const error = await never.then(
      () => expect.fail('resolved'),
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(KafkaCallTimedOut);
    expect(error).to.include({
      name: 'KafkaError',
      retriable: true,
      code: rdkafka.CODES.ERRORS.ERR__TIMED_OUT,
    });
    expect((error as Error).message).to.equal('send checkpoint: no answer within 50 ms');
    expect(await nativeCallWithin<number>(50, 'answers', (done) => done(null, 7))).to.equal(7);
  });
});
