/** One request a job's code sent to an AWS API: `S3.GetObject` on `bucket/key`, `DynamoDB.UpdateItem` on a table. */
export interface SdkCall {
  /** `<Service>.<Operation>`, as the needs' grants list them. */
  readonly operation: string;
  /** The bucket and key (`bucket/key`), the table name or the secret id the request named. */
  readonly resource: string;
}

/** An AWS SDK v3 client, as much as recording needs. */
interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: { input: object }) => Promise<unknown>,
        context: { clientName?: string; commandName?: string },
      ) => (args: { input: object }) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/** Records every request `client` sends into `calls` (before it is sent, so failed requests count too). */
export function recordCalls<C>(client: C, calls: SdkCall[]): C {
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (next, context) => async (args) => {
      const service = (context.clientName ?? '').replace(/Client$/, '');
      const input = args.input as { Bucket?: string; Key?: string; TableName?: string; SecretId?: string };
      calls.push({
        operation: `${service}.${(context.commandName ?? '').replace(/Command$/, '')}`,
        resource: input.Bucket
          ? `${input.Bucket}/${input.Key ?? ''}`
          : (input.TableName ?? input.SecretId ?? ''),
      });
      return next(args);
    },
    { step: 'initialize', name: 'recordCalls' },
  );
  return client;
}
