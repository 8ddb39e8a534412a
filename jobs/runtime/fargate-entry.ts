// The Fargate bundle (dist/jobs.mjs): `node dist/jobs.mjs <job>`, input from the environment.
import { runFargateJob } from './fargate.ts';

const { exitCode } = await runFargateJob(process.argv.slice(2), process.env);
// Exit explicitly: kafkajs and the AWS SDK may keep sockets alive after the job is done.
process.exit(exitCode);
