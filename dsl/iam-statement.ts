import type { Input } from '@pulumi/pulumi';

/** One IAM policy statement; resources may be Pulumi Inputs. */
export interface IamStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow';
  readonly Action: readonly string[];
  readonly Resource: readonly Input<string>[];
  readonly Condition?: Readonly<
    Record<string, Readonly<Record<string, Input<string> | readonly Input<string>[]>>>
  >;
}

/** Partition, region and account of an ARN. */
export interface ArnScope {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** What a service step's permissions are derived from. */
export interface PermissionScope {
  /**
   * An ARN in the state machine's own partition, region and account, built with `values` (which may be Pulumi
   * Inputs, like the ARN itself): the result is a string when everything is, an Output otherwise.
   */
  readonly arn: (
    values: readonly Input<string>[],
    build: (where: ArnScope, values: readonly string[]) => string,
  ) => Input<string>;
  /**
   * The deploy-time value of a request field: a literal, a bound platform resource (`platformResource`), or
   * `undefined` when the field is a reference known only at run time.
   */
  readonly resolve: (value: unknown) => Input<string> | undefined;
}
