/**
 * STS GetCallerIdentity: which account (and principal) this machine's AWS credentials belong to, so a role ARN in
 * another account is reported as "cannot verify from this account" instead of "missing" (IAM GetRole looks in the
 * caller's account only).
 *
 * `@aws-sdk/client-sts` is not a dependency yet; until it is, this sends the operation through the STS client that
 * `@aws-sdk/nested-clients` ships (the one the SDK's own credential providers use): same endpoint rules, SigV4
 * signing and awsQuery protocol, with the GetCallerIdentity operation declared here in the SDK's schema form.
 * Replace with `new STSClient(...).send(new GetCallerIdentityCommand({}))` from `@aws-sdk/client-sts` when it is added.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

export interface StsOptions {
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  endpoint?: string;
  timeoutMs: number;
}

/** The STS endpoint the SDK resolves for a region (regional endpoints; `.com.cn` in China). */
export function stsEndpointFor(region: string): string {
  return `https://sts.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

const NS = 'com.amazonaws.sts';
// Smithy schema tuples (as in @aws-sdk/nested-clients' own schemas_0.js): 3 = structure, 9 = operation.
const REQUEST = [3, NS, 'GetCallerIdentityRequest', 0, [], []];
const RESPONSE = [3, NS, 'GetCallerIdentityResponse', 0, ['UserId', 'Account', 'Arn'], [0, 0, 0]];
const OPERATION = [9, NS, 'GetCallerIdentity', 0, () => REQUEST, () => RESPONSE];

export async function getCallerIdentity(opts: StsOptions, signal: AbortSignal): Promise<CallerIdentity> {
  const [{ STSClient }, { Command }, { getEndpointPlugin }] = await Promise.all([
    import('@aws-sdk/nested-clients/sts'),
    import('@smithy/core/client'),
    import('@smithy/core/endpoints'),
  ]);
  const endpointParams = {
    UseGlobalEndpoint: { type: 'builtInParams', name: 'useGlobalEndpoint' },
    UseFIPS: { type: 'builtInParams', name: 'useFipsEndpoint' },
    Endpoint: { type: 'builtInParams', name: 'endpoint' },
    Region: { type: 'builtInParams', name: 'region' },
    UseDualStack: { type: 'builtInParams', name: 'useDualstackEndpoint' },
  } as const;
  // The builder's generics describe generated clients; this one operation is typed at the boundary instead.
  type Built = new (input: object) => unknown;
  type Builder = { ep(p: unknown): { m(f: unknown): { s(svc: string, op: string, ctx: object): { n(c: string, n: string): { sc(s: unknown): { build(): Built } } } } } };
  const builder = (Command as unknown as { classBuilder(): Builder }).classBuilder();
  const GetCallerIdentityCommand = builder
    .ep(endpointParams)
    .m(function (Ctor: { getEndpointParameterInstructions(): unknown }, _stack: unknown, config: unknown) {
      return [getEndpointPlugin(config as never, Ctor.getEndpointParameterInstructions() as never)];
    })
    .s('AWSSecurityTokenServiceV20110615', 'GetCallerIdentity', {})
    .n('STSClient', 'GetCallerIdentityCommand')
    .sc(OPERATION)
    .build();
  const client = new STSClient({
    region: opts.region,
    credentials: opts.credentials,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    maxAttempts: 1,
    requestHandler: { requestTimeout: opts.timeoutMs, connectionTimeout: opts.timeoutMs },
  });
  try {
    const out = (await client.send(new GetCallerIdentityCommand({}) as never, { abortSignal: signal })) as { UserId?: string; Account?: string; Arn?: string };
    if (!out.Account || !out.Arn) throw new Error('GetCallerIdentity returned no account');
    return { account: out.Account, arn: out.Arn, userId: out.UserId ?? '' };
  } finally {
    client.destroy();
  }
}
