/**
 * STS GetCallerIdentity through the official `@aws-sdk/client-sts` (loaded on first use): which account (and principal)
 * this machine's AWS credentials belong to, so a role ARN in another account is reported as "cannot verify from this
 * account" instead of "missing" (IAM GetRole looks in the caller's account only).
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

export async function getCallerIdentity(opts: StsOptions, signal: AbortSignal): Promise<CallerIdentity> {
  const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const client = new STSClient({
    region: opts.region,
    credentials: opts.credentials,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    maxAttempts: 1,
    requestHandler: { requestTimeout: opts.timeoutMs, connectionTimeout: opts.timeoutMs },
  });
  try {
    const out = await client.send(new GetCallerIdentityCommand({}), { abortSignal: signal });
    if (!out.Account || !out.Arn) throw new Error('GetCallerIdentity returned no account');
    return { account: out.Account, arn: out.Arn, userId: out.UserId ?? '' };
  } finally {
    client.destroy();
  }
}
