import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository root (this file is `scripts/typecheck-preflight.ts`). */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The type errors of a preflight, formatted as `tsc` prints them. */
export class TypeCheckError extends Error {
  override readonly name = 'TypeCheckError';
  constructor(
    readonly count: number,
    readonly report: string,
  ) {
    super(
      `${count} type error(s): fix them before running this (the workflows would compile to wrong ASL)\n${report}`,
    );
  }
}

/** Entries already checked by this process: a second call costs nothing. */
const checked = new Set<string>();

/**
 * Type-checks what a command runs before it runs (tsx, which runs synth, plan, the local runner and the Pulumi
 * program, strips types without checking them): `entries` and everything they import, with the project's
 * tsconfig. Throws a {@link TypeCheckError} listing every error. Incremental: the state is kept in
 * `.local/typecheck/`, so an unchanged project is checked again in a moment.
 */
export function typecheckPreflight(entries: readonly string[], root: string = REPO_ROOT): void {
  // `npm test` type-checks the whole project before its tests, which run the Pulumi program many times.
  if (process.env.npm_lifecycle_event === 'test') return;
  const files = entries.map((entry) => resolve(root, entry)).sort();
  const key = files.join('\n');
  if (checked.has(key)) return;
  const configPath = join(root, 'tsconfig.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new TypeCheckError(1, format([diagnostic], root));
      },
    },
  );
  if (!parsed) throw new Error(`cannot read ${configPath}`);
  const cacheDir = join(root, '.local', 'typecheck');
  mkdirSync(cacheDir, { recursive: true });
  const program = ts.createIncrementalProgram({
    rootNames: files,
    options: {
      ...parsed.options,
      noEmit: true,
      incremental: true,
      tsBuildInfoFile: join(
        cacheDir,
        `${createHash('sha1').update(key).digest('hex').slice(0, 12)}.tsbuildinfo`,
      ),
    },
  });
  const diagnostics = [
    ...program.getConfigFileParsingDiagnostics(),
    ...program.getSyntacticDiagnostics(),
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSemanticDiagnostics(),
  ];
  program.emit();
  if (diagnostics.length > 0) throw new TypeCheckError(diagnostics.length, format(diagnostics, root));
  checked.add(key);
}

/**
 * Runs the preflight for a command line tool: on type errors, prints them and exits with code 1 (the tool does
 * not run).
 */
export function typecheckOrExit(entries: readonly string[]): void {
  try {
    typecheckPreflight(entries);
  } catch (error) {
    if (!(error instanceof TypeCheckError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

function format(diagnostics: readonly ts.Diagnostic[], root: string): string {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (file) => file,
    getCurrentDirectory: () => root,
    getNewLine: () => '\n',
  });
}
