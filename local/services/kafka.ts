import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import rdkafka from '@confluentinc/kafka-javascript';
import { kafkaLog4jProperties, kafkaServerProperties, newKafkaClusterId } from './kafka-config.ts';
import { installKafkaJars } from './kafka-install.ts';
import type { LocalProcessService } from './local-process.ts';
import type { ResolvedOptions } from './options.ts';
import { runCommand } from './processes.ts';

/** The local single-node Kafka (KRaft, broker + controller) run from `<stateDir>/kafka`. */
export function localKafka(options: ResolvedOptions): LocalProcessService {
  const dir = join(options.stateDir, 'kafka');
  const configFile = join(dir, 'server.properties');
  const log4jFile = join(dir, 'log4j.properties');
  const dataDir = join(dir, 'data');
  const classpath = `${join(dir, 'lib')}/*`;
  // Child processes get this process's environment (PATH, JAVA_HOME), never the options' env object.
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const jvmOptions = [
    '-Xmx512m',
    '-Xms256m',
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${log4jFile}`,
    `-Dkafka.logs.dir=${join(dir, 'logs')}`,
  ];
  const broker = `${options.host}:${options.kafkaPort}`;
  return {
    name: 'kafka',
    host: options.host,
    port: { port: options.kafkaPort, envVar: 'LOCAL_KAFKA_PORT' },
    otherPorts: [{ port: options.kafkaControllerPort, envVar: 'LOCAL_KAFKA_CONTROLLER_PORT' }],
    runFile: join(dir, 'kafka.pid.json'),
    logFile: join(dir, 'kafka.log'),
    commandMarker: configFile,
    readyTimeoutMs: 120_000,
    // A controlled shutdown flushes logs and the metadata snapshot; give it time before SIGKILL.
    stopGraceMs: 30_000,
    install: async () => {
      await installKafkaJars(dir, options.log);
    },
    prepare: async () => {
      await mkdir(dataDir, { recursive: true });
      await writeFile(
        configFile,
        kafkaServerProperties({
          host: options.host,
          port: options.kafkaPort,
          controllerPort: options.kafkaControllerPort,
          dataDir,
        }),
      );
      await writeFile(log4jFile, kafkaLog4jProperties());
      if (existsSync(join(dataDir, 'meta.properties'))) return;
      options.log(`formatting Kafka storage in ${dataDir}`);
      await runCommand(
        java,
        [
          ...jvmOptions,
          '-cp',
          classpath,
          'kafka.tools.StorageTool',
          'format',
          '--ignore-formatted',
          '-t',
          newKafkaClusterId(),
          '-c',
          configFile,
        ],
        { cwd: dir },
      );
    },
    command: () => ({
      command: java,
      args: [...jvmOptions, '-cp', classpath, 'kafka.Kafka', configFile],
      cwd: dir,
      env: process.env,
      logFile: join(dir, 'kafka.log'),
    }),
    answers: () => kafkaAnswers([broker]),
  };
}

/**
 * True when the brokers answer within a few seconds: metadata and the group coordinator, which a fresh broker loads
 * a little after it first answers metadata (an import reads its checkpoint from it at once). The coordinator is
 * asked as an import asks it, with a consumer's offset fetch (librdkafka 2.15's admin group calls crash when the
 * coordinator is not ready yet).
 */
export async function kafkaAnswers(brokers: readonly string[]): Promise<boolean> {
  const consumer = new rdkafka.KafkaConsumer(
    {
      'bootstrap.servers': brokers.join(','),
      'client.id': 'local-services-probe',
      'group.id': 'local-services-probe',
      'socket.connection.setup.timeout.ms': 1000,
      // Its own log lines (connection refused while the broker starts) are expected here.
      log_level: 0,
    },
    {},
  );
  const ask = <T>(call: (done: (error: unknown, result: T) => void) => void) =>
    new Promise<T>((resolve, reject) => call((error, result) => (error ? reject(error) : resolve(result))));
  try {
    await ask((done) => consumer.connect({ timeout: 3000 }, done));
    await ask((done) => consumer.committed([{ topic: 'local-services-probe', partition: 0 }], 3000, done));
    return true;
  } catch {
    return false;
  } finally {
    if (consumer.isConnected()) await new Promise((resolve) => consumer.disconnect(resolve));
  }
}
