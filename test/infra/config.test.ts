import * as pulumi from '@pulumi/pulumi';
import { expect } from 'chai';
import { ConfigError, readPlatformConfig } from '../../infra/config.ts';
import { checkJobOverrides, lambdaSizing, taskSizing } from '../../infra/job-sizing.ts';
import { allJobs, audienceStatus, importAudience } from '../../jobs/index.ts';
import { devConfig, resolved } from './stack.ts';

/** The dev stack's configuration with some keys replaced (`undefined` removes a key). */
function configure(changes: Record<string, string | undefined>, secretKeys: string[] = []): void {
  const values: Record<string, string> = { ...devConfig.values };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete values[key];
    else values[key] = value;
  }
  pulumi.runtime.setAllConfig(values, secretKeys);
}

function configErrorOf(changes: Record<string, string | undefined>, secretKeys: string[] = []): ConfigError {
  configure(changes, secretKeys);
  try {
    readPlatformConfig();
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('readPlatformConfig accepted the configuration');
}

describe('infra: typed configuration', () => {
  after(() => pulumi.runtime.setAllConfig(devConfig.values, devConfig.secretKeys));

  it('reads the dev stack, typed, with defaults for optional keys', () => {
    // GIVEN the dev stack without the optional keys
    configure({
      'audience-io:logRetentionDays': undefined,
      'audience-io:network': undefined,
      'audience-io:jobs': undefined,
    });
    // WHEN
    const config = readPlatformConfig();
    // THEN
    expect(config.region).to.equal('eu-west-1');
    expect(config.kafkaBrokers).to.have.length(2);
    expect(config.logRetentionDays).to.equal(30);
    expect(config.network).to.deep.equal({ vpc: 'default' });
    expect(config.jobs).to.deep.equal({});
    expect(config.kafkaSaslPassword).to.equal(undefined);
  });

  for (const key of [
    'audience-io:kafkaBrokers',
    'audience-io:audienceTopic',
    'audience-io:kafkaSasl',
    'aws:region',
  ]) {
    it(`a missing ${key} fails naming the key`, () => {
      expect(configErrorOf({ [key]: undefined }).message).to.contain(`'${key}' is missing`);
    });
  }

  it('a kafkaSasl user without the secret kafkaSaslPassword fails naming the password key', () => {
    const error = configErrorOf({ 'audience-io:kafkaSasl': '{"mechanism":"scram-sha-512","username":"io"}' });
    expect(error.message).to.contain("'audience-io:kafkaSaslPassword' is missing").and.contain('--secret');
  });

  it('reads the SASL password as a Pulumi secret', async () => {
    configure(
      {
        'audience-io:kafkaSasl': '{"mechanism":"plain","username":"io"}',
        'audience-io:kafkaSaslPassword': 'hunter2',
      },
      ['audience-io:kafkaSaslPassword'],
    );
    const password = readPlatformConfig().kafkaSaslPassword!;
    expect(await pulumi.isSecret(password)).to.equal(true);
    expect(await resolved(password)).to.equal('hunter2');
  });

  it('a malformed value fails naming the key and the field inside it', () => {
    const error = configErrorOf({ 'audience-io:kafkaBrokers': '["broker-without-port"]' });
    expect(error.message)
      .to.contain("'audience-io:kafkaBrokers' is malformed")
      .and.contain('audience-io:kafkaBrokers.0');
  });

  it('a value that is not JSON fails naming the key', () => {
    expect(configErrorOf({ 'audience-io:network': '{vpc: default' }).message).to.contain(
      "'audience-io:network' is malformed: expected JSON",
    );
  });

  it('a log retention CloudWatch does not offer fails naming the key', () => {
    expect(configErrorOf({ 'audience-io:logRetentionDays': '42' }).message).to.contain(
      'audience-io:logRetentionDays',
    );
  });

  it('an unknown project key (a typo) fails naming it', () => {
    expect(configErrorOf({ 'audience-io:kafkaBroker': '["b:9092"]' }).message).to.contain(
      "'audience-io:kafkaBroker' is unknown",
    );
  });

  it('an override for a job that does not exist fails naming the key', () => {
    expect(() => checkJobOverrides({ 'import-audiense': {} }, allJobs)).to.throw(
      ConfigError,
      "'audience-io:jobs.import-audiense' names no job",
    );
  });

  it('a Fargate size Fargate does not offer fails naming the job field', () => {
    expect(() => taskSizing(importAudience, { cpu: 1024, memoryMiB: 1000 }, false)).to.throw(
      ConfigError,
      'audience-io:jobs.import-audience.memoryMiB',
    );
    expect(() => taskSizing(importAudience, { cpu: 32768, memoryMiB: 262144 }, false)).to.throw(
      ConfigError,
      'audience-io:jobs.import-audience.cpu',
    );
  });

  it('a task on the EC2 capacity needs the ec2Capacity key, and is not bound by Fargate sizes', () => {
    expect(() => taskSizing(importAudience, { capacity: 'ec2' }, false)).to.throw(
      ConfigError,
      'audience-io:ec2Capacity',
    );
    expect(
      taskSizing(importAudience, { capacity: 'ec2', cpu: 32768, memoryMiB: 262144 }, true),
    ).to.deep.equal({
      cpu: 32768,
      memoryMiB: 262144,
      capacity: 'ec2',
    });
  });

  it('sizes come from the job declaration unless overridden', () => {
    expect(lambdaSizing(audienceStatus, undefined)).to.deep.equal({ memoryMiB: 256, timeoutSeconds: 30 });
    expect(lambdaSizing(audienceStatus, { timeoutSeconds: 90 })).to.deep.equal({
      memoryMiB: 256,
      timeoutSeconds: 90,
    });
    expect(taskSizing(importAudience, undefined, false)).to.deep.equal({
      cpu: 1024,
      memoryMiB: 2048,
      capacity: 'fargate',
    });
  });
});
