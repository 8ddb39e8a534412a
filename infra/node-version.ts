/**
 * `pulumi up` runs the program with the `node` on the PATH (not the Node 24 the npm scripts use), with
 * `--import tsx` from Pulumi.yaml, which needs `module.register`: Node.js 20.6 or newer.
 */
export const MINIMUM_NODE = [20, 6] as const;

/** The Node.js running the program is too old for it. */
export class UnsupportedNodeError extends Error {
  override readonly name = 'UnsupportedNodeError';
}

/** Throws an {@link UnsupportedNodeError} saying what to install when `version` (`process.versions.node`) is too old. */
export function requireSupportedNode(version: string = process.versions.node): void {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [wantMajor, wantMinor] = MINIMUM_NODE;
  if (major > wantMajor || (major === wantMajor && minor >= wantMinor)) return;
  throw new UnsupportedNodeError(
    `audience-io's Pulumi program needs Node.js ${wantMajor}.${wantMinor} or newer, but \`pulumi up\` started it ` +
      `with Node.js ${version} (the \`node\` on your PATH): install Node.js ${wantMajor}.${wantMinor}+ (24 LTS recommended) ` +
      'and run `pulumi up` again',
  );
}
