import { relative } from 'node:path';
import { ensureLocalServices, localServicesStatus, type ServiceStatus, stopLocalServices } from './index.ts';
import { repoRoot } from './options.ts';

/** `services up | down | status`: starts, stops or shows the local Kafka broker and moto server. */
const USAGE = 'usage: npm run services -- up | down | status';

async function main(command: string | undefined): Promise<number> {
  const began = performance.now();
  const seconds = () => `${((performance.now() - began) / 1000).toFixed(1)} s`;
  switch (command) {
    case 'up': {
      const services = await ensureLocalServices();
      const started =
        services.started.length > 0 ? `started ${services.started.join(', ')}` : 'started nothing';
      console.log(`up in ${seconds()} (${started})`);
      printStatus(await localServicesStatus());
      console.log(`\nexport KAFKA_BROKERS=${services.kafkaBrokers.join(',')}`);
      console.log(`export AWS_ENDPOINT_URL=${services.awsEndpoint}`);
      console.log(`export AWS_REGION=${services.region}`);
      return 0;
    }
    case 'down': {
      const stopped = await stopLocalServices();
      console.log(
        stopped.length > 0 ? `stopped ${stopped.join(', ')} in ${seconds()}` : 'nothing was running',
      );
      return 0;
    }
    case 'status': {
      const statuses = await localServicesStatus();
      printStatus(statuses);
      return statuses.every((status) => status.answering) ? 0 : 3;
    }
    default:
      console.error(command === undefined ? USAGE : `unknown command "${command}"; ${USAGE}`);
      return 2;
  }
}

function printStatus(statuses: readonly ServiceStatus[]): void {
  for (const status of statuses) {
    const details = [
      status.pid !== undefined ? `pid ${status.pid}` : undefined,
      status.startedAt !== undefined ? `since ${status.startedAt}` : undefined,
      status.logFile !== undefined ? `log ${relative(repoRoot, status.logFile)}` : undefined,
    ].filter((detail) => detail !== undefined);
    const state = status.source === 'stopped' ? 'stopped' : status.answering ? 'answering' : 'NOT answering';
    console.log(
      `${status.name.padEnd(6)} ${status.source.padEnd(9)} ${status.address.padEnd(24)} ${state}` +
        (details.length > 0 ? `  (${details.join(', ')})` : ''),
    );
  }
}

main(process.argv[2]).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
