import * as awsx from '@pulumi/awsx';
import * as pulumi from '@pulumi/pulumi';

/** Arguments of {@link JobImage}. */
export interface JobImageArgs {
  /** Build context, relative to the Pulumi project (the repository root: the image copies `jobs/` and `dsl/`). */
  readonly context: string;
  /** Dockerfile path, relative to the Pulumi project. */
  readonly dockerfile: string;
}

/**
 * The one container image every job runs from, on Lambda and on ECS: an ECR repository that scans on push,
 * refuses to overwrite a tag and forgets old images, and the image built and pushed to it.
 */
export class JobImage extends pulumi.ComponentResource {
  /** `repository@sha256:…`: the exact image every function and task definition uses. */
  readonly imageUri: pulumi.Output<string>;
  /** ARN of the repository, for pull permissions. */
  readonly repositoryArn: pulumi.Output<string>;

  constructor(name: string, args: JobImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super('audience-io:image:JobImage', name, {}, opts);
    const repository = new awsx.ecr.Repository(
      `${name}-repository`,
      {
        imageScanningConfiguration: { scanOnPush: true },
        imageTagMutability: 'IMMUTABLE',
        lifecyclePolicy: {
          rules: [
            { description: 'Forget untagged layers after a week', tagStatus: 'untagged', maximumAgeLimit: 7 },
            { description: 'Keep the 20 newest images', tagStatus: 'any', maximumNumberOfImages: 20 },
          ],
        },
      },
      { parent: this },
    );
    const image = new awsx.ecr.Image(
      `${name}-image`,
      {
        repositoryUrl: repository.url,
        context: args.context,
        dockerfile: args.dockerfile,
        // Functions and tasks are declared x86_64; build for it whatever the deployer's machine is.
        platform: 'linux/amd64',
      },
      { parent: this },
    );
    this.imageUri = image.imageUri;
    this.repositoryArn = repository.url.apply(repositoryArnOfUrl);
    this.registerOutputs({ imageUri: this.imageUri, repositoryArn: this.repositoryArn });
  }
}

/** `<account>.dkr.ecr.<region>.amazonaws.com/<name>` → `arn:aws:ecr:<region>:<account>:repository/<name>`. */
export function repositoryArnOfUrl(url: string): string {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(.+)$/.exec(url);
  if (!match) throw new Error(`Not an ECR repository URL: '${url}'`);
  const [, account, region, repository] = match;
  const partition = url.includes('.amazonaws.com.cn/') ? 'aws-cn' : 'aws';
  return `arn:${partition}:ecr:${region}:${account}:repository/${repository}`;
}
