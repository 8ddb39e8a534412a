import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/** Where the Kafka SASL credentials come from: an existing secret, or a user name and a Pulumi secret. */
export type KafkaCredentialsArgs =
  | { readonly secretArn: string }
  | { readonly username: string; readonly password: pulumi.Output<string> };

/**
 * The Secrets Manager secret holding the Kafka SASL credentials as JSON `{"username", "password"}`.
 * Either references an existing secret or stores the Pulumi secret in a new one; jobs only ever see its ARN.
 */
export class KafkaCredentials extends pulumi.ComponentResource {
  /** ARN of the secret jobs read (Lambda) or ECS injects (tasks). */
  readonly secretArn: pulumi.Output<string>;

  constructor(name: string, args: KafkaCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('audience-io:kafka:KafkaCredentials', name, {}, opts);
    this.secretArn = 'secretArn' in args ? pulumi.output(args.secretArn) : this.storeSecret(name, args);
    this.registerOutputs({ secretArn: this.secretArn });
  }

  private storeSecret(
    name: string,
    args: { username: string; password: pulumi.Output<string> },
  ): pulumi.Output<string> {
    const secret = new aws.secretsmanager.Secret(
      `${name}-secret`,
      { description: 'Kafka SASL credentials of the audience-io jobs' },
      { parent: this },
    );
    new aws.secretsmanager.SecretVersion(
      `${name}-secret-value`,
      {
        secretId: secret.id,
        secretString: pulumi.secret(
          pulumi.jsonStringify({ username: args.username, password: args.password }),
        ),
      },
      { parent: this },
    );
    return secret.arn;
  }
}
