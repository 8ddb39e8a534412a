// The Fargate bundle (dist/jobs.mjs): `node dist/jobs.mjs <job>`, input from the environment.
import { runFargateJob } from './fargate.ts';

const { exitCode } = await runFargateJob(process.argv.slice(2), process.env);
// Exit explicitly: the Kafka client's threads and the AWS SDK may keep the process alive after the job is done.
process.exit(exitCode);
