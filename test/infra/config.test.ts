import * as pulumi from '@pulumi/pulumi';
import { expect } from 'chai';
import { ConfigError, readPlatformConfig } from '../../infra/config.ts';
import { FARGATE_MEMORY, jobOverrideProblems, lambdaSizing, taskSizing } from '../../infra/job-sizing.ts';
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
      'audience-io:kafkaNetwork': undefined,
      'audience-io:stateMachineLogLevel': undefined,
      'audience-io:bucketVersioning': undefined,
      'audience-io:alarmEmail': undefined,
      'audience-io:jobs': undefined,
      'audience-io:import': undefined,
    });
    // WHEN
    const config = readPlatformConfig();
    // THEN
    expect(config.region).to.equal('eu-west-1');
    expect(config.kafkaBrokers).to.have.length(2);
    expect(config.logRetentionDays).to.equal(30);
    expect(config.network).to.deep.equal({ vpc: 'default' });
    expect(config.kafkaNetwork).to.deep.equal({ mode: 'public' });
    expect(config.stateMachineLogLevel).to.equal('ALL');
    expect(config.bucketVersioning).to.equal(true);
    expect(config.alarmEmail).to.equal(undefined);
    expect(config.jobs).to.deep.equal({});
    expect(config.import).to.deep.equal({
      lambdaMaxBytes: 256 * 1024 * 1024,
      shardBytes: 512 * 1024 * 1024,
      maxShards: 32,
      maxConcurrency: 16,
    });
    expect(config.kafkaSaslPassword).to.equal(undefined);
  });

  it('reads the import thresholds, each optional, and refuses what a distributed map cannot run', () => {
    configure({ 'audience-io:import': '{"shardBytes":1048576,"maxConcurrency":4}' });
    expect(readPlatformConfig().import).to.deep.equal({
      lambdaMaxBytes: 256 * 1024 * 1024,
      shardBytes: 1048576,
      maxShards: 32,
      maxConcurrency: 4,
    });
    expect(configErrorOf({ 'audience-io:import': '{"maxConcurrency":20000}' }).message).to.contain(
      'audience-io:import.maxConcurrency',
    );
    expect(configErrorOf({ 'audience-io:import': '{"maxShards":0}' }).message).to.contain(
      'audience-io:import.maxShards',
    );
    expect(configErrorOf({ 'audience-io:import': '{"shardByte":1}' }).message).to.contain(
      "'audience-io:import' is malformed",
    );
  });

  it('reads the dev stack: Kafka in the VPC of two existing subnets, an alarm email, per-executor job sizes', () => {
    configure({});
    const config = readPlatformConfig();
    expect(config.kafkaNetwork).to.deep.equal({
      mode: 'vpc',
      subnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
      securityGroupIds: ['sg-0a1b2c3d4e5f60003'],
    });
    expect(config.alarmEmail).to.equal('data-platform-alerts@example.com');
    expect(config.jobs['import-audience']).to.deep.equal({
      fargate: { cpu: 2048, memoryMiB: 4096, capacity: 'fargate-spot' },
    });
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

  it('a kafkaNetwork subnet that is not a subnet id fails naming the field', () => {
    const error = configErrorOf({
      'audience-io:kafkaNetwork': JSON.stringify({ mode: 'vpc', subnetIds: ['10.0.1.0/24'] }),
    });
    expect(error.message).to.contain('audience-io:kafkaNetwork.subnetIds.0: a subnet id');
  });

  it('a state machine log level OFF is refused: failures must be logged', () => {
    expect(configErrorOf({ 'audience-io:stateMachineLogLevel': 'OFF' }).message).to.contain(
      "'audience-io:stateMachineLogLevel' is malformed",
    );
  });

  it('an alarm email that is no address fails naming the key', () => {
    expect(configErrorOf({ 'audience-io:alarmEmail': 'alerts' }).message).to.contain(
      "'audience-io:alarmEmail' is malformed",
    );
  });

  it('job overrides name an existing job and only the executors it runs on', () => {
    expect(
      jobOverrideProblems({ 'import-audiense': {}, 'audience-status': { fargate: { cpu: 256 } } }, allJobs),
    ).to.deep.equal([
      "Configuration key 'audience-io:jobs.import-audiense' names no job: the jobs are import-key, audience-status, plan-import, import-audience, close-sharded-import, send-end-marker, export-audience",
      "Configuration key 'audience-io:jobs.audience-status.fargate': audience-status runs on lambda, not fargate",
    ]);
    expect(jobOverrideProblems({ 'send-end-marker': { lambda: {}, fargate: {} } }, allJobs)).to.deep.equal(
      [],
    );
  });

  it("Fargate's sizes: 256 CPU takes 512, 1024 or 2048 MiB only; larger CPUs a range in steps", () => {
    expect(FARGATE_MEMORY[256]).to.deep.equal([512, 1024, 2048]);
    expect(() => taskSizing(importAudience, { cpu: 256, memoryMiB: 1536 }, false)).to.throw(
      ConfigError,
      "'audience-io:jobs.import-audience.fargate.memoryMiB': Fargate with 256 CPU units takes 512, 1024 or 2048 MiB, got 1536",
    );
    expect(taskSizing(importAudience, { cpu: 256, memoryMiB: 2048 }, false)).to.deep.include({
      memoryMiB: 2048,
    });
    expect(() => taskSizing(importAudience, { cpu: 1024, memoryMiB: 1000 }, false)).to.throw(
      ConfigError,
      'Fargate with 1024 CPU units takes 2048-8192 MiB in steps of 1024, got 1000',
    );
    expect(() => taskSizing(importAudience, { cpu: 32768, memoryMiB: 262144 }, false)).to.throw(
      ConfigError,
      'audience-io:jobs.import-audience.fargate.cpu',
    );
  });

  it('a task on the EC2 capacity needs the ec2Capacity key, and is not bound by Fargate sizes', () => {
    expect(() => taskSizing(importAudience, { capacity: 'ec2' }, false)).to.throw(
      ConfigError,
      "'audience-io:jobs.import-audience.fargate.capacity' is 'ec2' but 'audience-io:ec2Capacity' is not set",
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
