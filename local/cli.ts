// `npm run local -- <command>`: runs workflows, watches the bucket, previews imports, manages the services.
import { typecheckOrExit } from '../scripts/typecheck-preflight.ts';

const argv = process.argv.slice(2);
// tsx runs the workflows and jobs without checking their types: check them first, before they are loaded.
if (!['up', 'down', 'status'].includes(argv[0] ?? '')) typecheckOrExit(['local/cli-commands.ts']);
const { runCli } = await import('./cli-commands.ts');
runCli(argv);
