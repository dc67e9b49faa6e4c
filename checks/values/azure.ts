import { defineCheck, fail, formatPath, pass, warn, type CheckContext, type Finding, type ValuesPort } from '../../src/engine/index.js';
import { keepAliveProblem } from '../../src/model-engine/servicebus.js';

/**
 * Why each `azure.*` key matters (facts §1.4, §2.1, §8; matrix §2 "Azure"). This check owns these keys (values/redis
 * only mentions azure.object_id), except what values/broker reports about the Service Bus namespace (see checkKeys).
 */
export const AZURE_KEYS = [
  { key: 'client_id', kind: 'guid', example: '"<managed identity client ID>"', why: 'the Workload Identity client ID: the chart annotates the ServiceAccounts with it, injects AZURE_CLIENT_ID and KEDA authenticates with it' },
  { key: 'object_id', kind: 'guid', example: '"<managed identity principal (object) ID>"', why: 'injected as AZURE_OBJECT_ID, the username model-engine uses for Entra-token Redis auth (without it every login to the cache Redis fails with WRONGPASS)' },
  { key: 'identity_name', kind: 'identity', example: '<managed identity name>', why: 'injected as AZURE_IDENTITY_NAME, the database user on the Key Vault path' },
  { key: 'abs_account_name', kind: 'storage-account', example: '<storage account name>', why: 'the Blob Storage account (ABS_ACCOUNT_NAME) for files, fine-tune artifacts and the Celery result backend' },
  { key: 'abs_container_name', kind: 'container', example: '<blob container name>', why: 'the Blob Storage container (ABS_CONTAINER_NAME)' },
  { key: 'servicebus_namespace', kind: 'servicebus', example: '<namespace, without .servicebus.windows.net>', why: 'the Service Bus namespace of the Celery broker (azureservicebus://DefaultAzureCredential@<namespace>.servicebus.windows.net)' },
] as const;

export type AzureKeyKind = (typeof AZURE_KEYS)[number]['kind'] | 'keyvault';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SERVICEBUS_SUFFIX = '.servicebus.windows.net';

/** What is wrong with a GUID value (client/object IDs), or undefined when it is fine. */
export function guidProblem(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'is not a string (quote it)';
  if (!GUID.test(v)) return 'is not a GUID (8-4-4-4-12 hex digits)';
  if (/^[0-]+$/.test(v)) return 'is the all-zero placeholder GUID from the docs';
  return undefined;
}

/** Azure Storage account names: 3–24 characters, lowercase letters and digits only. */
export function storageAccountProblem(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'is not a string';
  if (v.includes('.')) return 'looks like a hostname; give only the account name (the part before .blob.core.windows.net)';
  if (/[A-Z]/.test(v)) return 'has uppercase letters; storage account names are lowercase';
  if (!/^[a-z0-9]+$/.test(v)) return 'may only contain lowercase letters and digits';
  if (v.length < 3 || v.length > 24) return `is ${v.length} characters long; storage account names are 3–24`;
  return undefined;
}

/** Blob container names: 3–63 characters, lowercase letters, digits and single hyphens, starting with a letter or digit. */
export function containerProblem(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'is not a string';
  if (v.includes('/')) return 'is a path; give only the container name';
  if (v.length < 3 || v.length > 63) return `is ${v.length} characters long; container names are 3–63`;
  if (!/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$/.test(v)) return 'may only contain lowercase letters, digits and single hyphens, starting and ending with a letter or digit';
  return undefined;
}

/** The short namespace name when a full Service Bus hostname (or URL) was given. */
export function servicebusShortName(v: string): string | undefined {
  const host = v.replace(/^[a-z]+:\/\//i, '').replace(/[:/].*$/, '');
  if (!host.includes('.')) return undefined;
  return host.split('.')[0];
}

/** Service Bus namespace names: 6–50 characters, letters, digits and hyphens, starting with a letter, not ending in `-sb`/`-mgmt`. */
export function servicebusProblem(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'is not a string';
  if (servicebusShortName(v) !== undefined) return `is a hostname; give only the namespace (the part before ${SERVICEBUS_SUFFIX})`;
  if (v.length < 6 || v.length > 50) return `is ${v.length} characters long; Service Bus namespaces are 6–50`;
  if (!/^[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]$/.test(v)) return 'must start with a letter, end with a letter or digit and contain only letters, digits and hyphens';
  if (/-(sb|mgmt)$/i.test(v)) return 'may not end with "-sb" or "-mgmt"';
  return undefined;
}

/** User-assigned managed identity names: 3–128 characters, letters, digits, hyphens and underscores. */
export function identityProblem(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'is not a string';
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/.test(v)) return 'must be 3–128 letters, digits, hyphens or underscores, starting with a letter or digit';
  return undefined;
}

/** Key Vault names: 3–24 characters, letters, digits and single hyphens, starting with a letter. */
export function keyvaultProblem(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'is not a string';
  if (v.includes('.')) return 'looks like a hostname; give only the vault name (the part before .vault.azure.net)';
  if (!/^[A-Za-z](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){2,23}$/.test(v)) return 'must be 3–24 letters, digits and single hyphens, starting with a letter and ending with a letter or digit';
  return undefined;
}

/** A corrected value when the intent is clear (braces or capitals around a GUID, a capitalised account name). */
export function suggestFix(kind: AzureKeyKind, v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  if (kind === 'guid') {
    const g = v.trim().replace(/^\{(.*)\}$/, '$1').toLowerCase();
    return GUID.test(g) && g !== v && !/^[0-]+$/.test(g) ? g : undefined;
  }
  if (kind === 'storage-account') {
    const l = v.toLowerCase();
    return l !== v && storageAccountProblem(l) === undefined ? l : undefined;
  }
  if (kind === 'servicebus') return servicebusShortName(v);
  return undefined;
}

export function problemFor(kind: AzureKeyKind, v: unknown): string | undefined {
  switch (kind) {
    case 'guid':
      return guidProblem(v);
    case 'identity':
      return identityProblem(v);
    case 'storage-account':
      return storageAccountProblem(v);
    case 'container':
      return containerProblem(v);
    case 'servicebus':
      return servicebusProblem(v);
    case 'keyvault':
      return keyvaultProblem(v);
  }
}

const ref = (path: string) => ({ kind: 'HelmValues', name: path });
const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const nonEmpty = (v: unknown) => v !== undefined && v !== null && v !== '';
const DOCS = 'docs/checks/values/azure.md';

const AZURE_SNIPPET = `azure:
  client_id: "<managed identity client ID>"      # az identity show -g <rg> -n <identity> --query clientId -o tsv
  object_id: "<managed identity principal ID>"   # az identity show -g <rg> -n <identity> --query principalId -o tsv
  identity_name: <identity>
  abs_account_name: <storageaccount>             # 3-24 lowercase letters and digits
  abs_container_name: <container>
  servicebus_namespace: <namespace>              # the part before .servicebus.windows.net
  keyvault_name: <vault>                         # needed unless secrets.kubernetesDatabaseSecretName is set
`;

/** What else a fixed key needs before it works, said next to the fix. */
const AFTER_SETTING: Readonly<Record<string, string>> = {
  object_id: ' Then grant that identity a data access policy on the Azure Cache for Redis (Data Owner or Data Contributor).',
};

function keySnippet(key: string, value: string): string {
  return `azure:\n  ${key}: ${value}\n`;
}

function checkKeys(values: ValuesPort, brokerKeys: ReadonlySet<string>): { findings: Finding[]; deferred: number } {
  const out: Finding[] = [];
  let deferred = 0;
  for (const { key, kind, why, example } of AZURE_KEYS) {
    const path = `azure.${key}`;
    const v = values.get(path);
    // values/broker already reports a missing broker key or a full hostname in it (matrix `brokerValues`).
    if (brokerKeys.has(path) && (!nonEmpty(v) || (typeof v === 'string' && servicebusShortName(v) !== undefined))) {
      deferred++;
      continue;
    }
    if (!nonEmpty(v)) {
      out.push(
        fail('missing', {
          data: { path, why },
          object: ref(path),
          evidence: [values.evidence(path)],
          remediation: {
            summary: `Set ${path} in your values file.${AFTER_SETTING[key] ?? ''}`,
            values: keySnippet(key, example),
            commands: kind === 'guid' ? ['az identity show --resource-group <rg> --name <identity> --query "{client_id: clientId, object_id: principalId}" -o yaml'] : [],
            docs: DOCS,
          },
        }),
      );
      continue;
    }
    const problem = problemFor(kind, v);
    if (!problem) continue;
    const short = kind === 'servicebus' && typeof v === 'string' ? servicebusShortName(v) : undefined;
    const fixed = suggestFix(kind, v);
    out.push(
      fail(short ? 'servicebusHostname' : 'malformed', {
        data: { path, value: String(v), problem, why, short },
        object: ref(path),
        evidence: [values.evidence(path)],
        remediation: {
          summary: short ? `Set ${path} to the namespace name only: ${short}.` : `Fix ${path}: it ${problem}.${fixed ? ` Probably: ${fixed}.` : ''}`,
          values: keySnippet(key, fixed ?? example),
          docs: DOCS,
        },
      }),
    );
  }
  return { findings: out, deferred };
}

function checkKeyvault(values: ValuesPort): Finding[] {
  const out: Finding[] = [];
  const path = 'azure.keyvault_name';
  const kv = values.get(path);
  const k8sSecret = values.get('secrets.kubernetesDatabaseSecretName');
  const legacy = values.isUserSet('keyvaultName') ? values.get('keyvaultName') : undefined;
  if (!nonEmpty(kv) && !nonEmpty(k8sSecret)) {
    out.push(
      fail('keyvaultRequired', {
        data: { path },
        object: ref(path),
        evidence: [values.evidence(path), values.evidence('secrets.kubernetesDatabaseSecretName'), ...(nonEmpty(legacy) ? [values.evidence('keyvaultName')] : [])],
        remediation: {
          summary: `Set ${path} (model-engine reads the database location from that Key Vault), or give the database URL as a Kubernetes Secret with secrets.kubernetesDatabaseSecretName.`,
          values: `${keySnippet('keyvault_name', typeof legacy === 'string' ? legacy : '<vault>')}# or:\nsecrets:\n  kubernetesDatabaseSecretName: llm-engine-postgres-credentials   # a Secret with key database_url\n`,
          docs: DOCS,
        },
      }),
    );
  } else if (nonEmpty(kv)) {
    const problem = keyvaultProblem(kv);
    if (problem) {
      out.push(
        fail('malformed', {
          data: { path, value: String(kv), problem, why: 'injected as KEYVAULT_NAME; model-engine reads https://<name>.vault.azure.net' },
          object: ref(path),
          evidence: [values.evidence(path)],
          remediation: { summary: `Fix ${path}: it ${problem}.`, values: keySnippet('keyvault_name', '<vault>'), docs: DOCS },
        }),
      );
    }
  }
  if (values.isUserSet('keyvaultName')) {
    const moved = !nonEmpty(kv) && typeof legacy === 'string';
    out.push(
      warn('keyvaultNameUnused', {
        severity: 'low',
        data: { path: 'keyvaultName' },
        object: ref('keyvaultName'),
        evidence: [values.evidence('keyvaultName'), values.evidence(path)],
        remediation: {
          summary: moved
            ? 'Move the vault name to azure.keyvault_name (the only key the chart reads) and delete the top-level keyvaultName.'
            : 'Delete the top-level keyvaultName; the chart reads only azure.keyvault_name.',
          ...(moved ? { values: keySnippet('keyvault_name', legacy) } : {}),
          docs: DOCS,
        },
      }),
    );
  }
  return out;
}

/** A manual `azure.workload.identity/client-id` annotation is rendered a second time by the chart (facts §9 #9). */
function checkManualAnnotation(ctx: CheckContext, values: ValuesPort): Finding[] {
  const annotation = ctx.matrix?.serviceAccountAnnotation ?? 'azure.workload.identity/client-id';
  const clientId = values.get('azure.client_id');
  const inference = values.get('azure.inference_client_id');
  const places = [
    { map: 'serviceAccount.annotations', chartValue: clientId, chartKey: 'azure.client_id', sa: 'model-engine (control plane)' },
    {
      map: 'serviceTemplate.serviceAccountAnnotations',
      chartValue: nonEmpty(inference) ? inference : clientId,
      chartKey: nonEmpty(inference) ? 'azure.inference_client_id' : 'azure.client_id',
      sa: 'the endpoint ServiceAccount',
    },
  ];
  const out: Finding[] = [];
  for (const p of places) {
    const map = values.get(p.map);
    if (!isMap(map) || !(annotation in map)) continue;
    const path = formatPath([...p.map.split('.'), annotation]);
    const manual = map[annotation];
    const same = String(manual) === String(p.chartValue ?? '');
    const others = Object.keys(map).filter((k) => k !== annotation);
    const keepNonEmpty =
      p.map === 'serviceTemplate.serviceAccountAnnotations' && others.length === 0
        ? '\n# the chart creates the endpoint ServiceAccount only when this map is non-empty; keep one other annotation in it, e.g.:\n#   model-engine/role: inference\n'
        : '';
    const finding = {
      data: { path, sa: p.sa, chartKey: p.chartKey, manual: String(manual), chart: String(p.chartValue ?? '') },
      object: ref(path),
      evidence: [values.evidence(path), values.evidence(p.chartKey)],
      remediation: {
        summary: `Delete ${path} from your values: the chart already adds it from ${p.chartKey}.`,
        values: `${p.map.split('.')[0]}:\n  ${p.map.split('.')[1]}:\n    ${annotation}: null   # or delete the line; the chart sets it from ${p.chartKey}${keepNonEmpty}\n`,
        docs: DOCS,
      },
    };
    out.push(same ? warn('clientIdAnnotationDuplicate', { ...finding, severity: 'low' }) : fail('clientIdAnnotationConflict', finding));
  }
  return out;
}

function checkKeepAlive(values: ValuesPort): Finding[] {
  const env = values.get('extraEnvVars');
  if (!Array.isArray(env)) return [];
  const out: Finding[] = [];
  env.forEach((e, i) => {
    if (!isMap(e) || e.name !== 'SERVICEBUS_KEEP_ALIVE_INTERVAL') return;
    const path = `extraEnvVars[${i}].value`;
    if (e.valueFrom !== undefined && e.value === undefined) {
      out.push(pass('keepAliveFromRef', { data: { path: `extraEnvVars[${i}].valueFrom` }, object: ref(`extraEnvVars[${i}]`), evidence: [values.evidence(['extraEnvVars', String(i)])] }));
      return;
    }
    const problem = keepAliveProblem(e.value);
    if (!problem) {
      out.push(pass('keepAliveOk', { data: { path, value: String(e.value) }, object: ref(path), evidence: [values.evidence(['extraEnvVars', String(i), 'value'])] }));
      return;
    }
    out.push(
      fail('keepAliveOutOfRange', {
        data: { path, value: String(e.value), problem },
        object: ref(path),
        evidence: [values.evidence(['extraEnvVars', String(i), 'value'])],
        remediation: {
          summary: 'Set SERVICEBUS_KEEP_ALIVE_INTERVAL to a quoted whole number of seconds below 300 (model-engine defaults to "30"), or remove it to use the default.',
          values: 'extraEnvVars:\n  - name: SERVICEBUS_KEEP_ALIVE_INTERVAL\n    value: "30"\n',
          docs: DOCS,
        },
      }),
    );
  });
  return out;
}

export default defineCheck({
  meta: {
    id: 'values/azure',
    title: 'Azure values',
    description: 'The azure block is complete and well-formed (identity GUIDs, storage, Service Bus, Key Vault) and avoids the documented traps.',
    clouds: ['azure'],
    severity: 'high',
    needs: ['values'],
    messages: {
      complete: 'The azure block is complete: {{keys}} are set and well-formed',
      blockMissing: 'The values have no azure block; on Azure the chart needs it for Workload Identity, Blob Storage, Service Bus and Key Vault',
      missing: '{{path}} is not set; it is {{why}}',
      malformed: '{{path}} = "{{value}}" {{problem}}; it is {{why}}',
      servicebusHostname: '{{path}} = "{{value}}" is a full hostname; model-engine appends .servicebus.windows.net itself, so set it to "{{short}}"',
      keyvaultRequired: '{{path}} is not set and secrets.kubernetesDatabaseSecretName is not set either: model-engine on Azure then reads the database location from Key Vault and cannot start without a vault name',
      keyvaultNameUnused: 'Top-level {{path}} is not read by any chart template (only azure.keyvault_name is)',
      clientIdAnnotationDuplicate:
        '{{path}} is set by hand, and the chart adds the same annotation from {{chartKey}}: the key is rendered twice in {{sa}} (same value today, but the two drift apart silently)',
      clientIdAnnotationConflict:
        '{{path}} = "{{manual}}" is set by hand while the chart adds it again from {{chartKey}} = "{{chart}}": {{sa}} gets the key twice with different client IDs and only one of them takes effect',
      keepAliveOk: 'SERVICEBUS_KEEP_ALIVE_INTERVAL ({{path}}) = {{value}} s keeps Service Bus AMQP connections alive (idle limit 300 s)',
      keepAliveFromRef: 'SERVICEBUS_KEEP_ALIVE_INTERVAL comes from {{path}}; its value cannot be checked offline (it must be 1-299 seconds)',
      keepAliveOutOfRange: 'SERVICEBUS_KEEP_ALIVE_INTERVAL ({{path}}) = {{value}} {{problem}}',
    },
  },
  async run(ctx) {
    const values = ctx.values!;
    const out: Finding[] = [];
    const block = values.get('azure');
    if (!isMap(block) || Object.keys(block).length === 0) {
      out.push(
        fail('blockMissing', {
          severity: 'critical',
          object: ref('azure'),
          evidence: [values.evidence('azure'), values.evidence('config.values.infra.cloud_provider')],
          remediation: { summary: 'Add an azure block with your managed identity, storage account, Service Bus namespace and Key Vault.', values: AZURE_SNIPPET, docs: DOCS },
        }),
      );
    } else {
      const brokerKeys = new Set((ctx.matrix?.brokerValues ?? []).flatMap((b) => b.keys));
      const { findings: keyFindings, deferred } = checkKeys(values, brokerKeys);
      out.push(...keyFindings);
      const inference = values.get('azure.inference_client_id');
      if (nonEmpty(inference) && guidProblem(inference)) {
        out.push(
          fail('malformed', {
            data: { path: 'azure.inference_client_id', value: String(inference), problem: guidProblem(inference), why: 'the client ID the chart puts on the endpoint ServiceAccount' },
            object: ref('azure.inference_client_id'),
            evidence: [values.evidence('azure.inference_client_id')],
            remediation: { summary: 'Fix azure.inference_client_id (a GUID), or remove it to use azure.client_id.', values: keySnippet('inference_client_id', '"<client ID GUID>"'), docs: DOCS },
          }),
        );
      }
      if (keyFindings.length === 0 && deferred === 0) {
        out.push(
          pass('complete', {
            data: { keys: AZURE_KEYS.map((k) => `azure.${k.key}`) },
            object: ref('azure'),
            evidence: AZURE_KEYS.map((k) => values.evidence(`azure.${k.key}`)),
          }),
        );
      }
    }
    out.push(...checkKeyvault(values), ...checkManualAnnotation(ctx, values), ...checkKeepAlive(values));
    return out;
  },
});
