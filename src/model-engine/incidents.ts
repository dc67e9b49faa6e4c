/**
 * model-engine's rules for grouping findings into incidents (the framework is `src/engine/incidents.ts`): which
 * endpoint an object serves, by model-engine's naming, and which of our checks' findings only name a symptom. The
 * commands, reporters and TUI group with these, so every report names endpoints the way triage's table does.
 */
import {
  groupIncidents as groupWith,
  incidentsOf as incidentsWith,
  objectKeys as objectKeysWith,
  subjectsOf as subjectsWith,
  VIEW_LEVELS,
  type Incident,
  type IncidentRules,
  type Subjects,
} from '../engine/incidents.js';
import type { CheckResult, ObjectRef, Report } from '../engine/types.js';
import { endpointIdIn } from './naming.js';

export type { Incident, IncidentStatus, Subjects } from '../engine/incidents.js';

/** The endpoint id (`end_…`) an object serves, from its name (src/model-engine/naming.ts). */
export const endpointOf = (ref: Pick<ObjectRef, 'name'>): string | undefined => endpointIdIn(ref.name);

/**
 * Findings that only say where it hurts: every finding of these checks, or of the endpoint diagnosis the causes that
 * name only a symptom (a check that names the cause should lead). The endpoint diagnosis is otherwise the most direct
 * view: it has weighed every fact about its endpoint and carries the exact commands.
 */
const SYMPTOMS: Readonly<Record<string, readonly string[] | 'all'>> = {
  'control-plane/deployments-available': 'all',
  'images/cluster-pull-errors': 'all',
  'endpoints/serving': ['unknown', 'crashLoop', 'readinessFailing', 'starting'],
};
const DIAGNOSES = new Set(['endpoints/serving']);

export function viewLevel(r: Pick<CheckResult, 'id' | 'messageId'>): number {
  const symptoms = SYMPTOMS[r.id];
  if (symptoms === 'all' || symptoms?.includes(r.messageId)) return VIEW_LEVELS.symptom;
  return DIAGNOSES.has(r.id) ? VIEW_LEVELS.diagnosis : VIEW_LEVELS.check;
}

export const MODEL_ENGINE_INCIDENTS: IncidentRules = { endpointOf, viewLevel };

export const objectKeys = (ref: ObjectRef): string[] => objectKeysWith(ref, MODEL_ENGINE_INCIDENTS);
export const subjectsOf = (r: CheckResult): Subjects => subjectsWith(r, MODEL_ENGINE_INCIDENTS);
/** Group the findings (fail, error, warn) of a run into ranked incidents, with model-engine's rules. */
export const groupIncidents = (results: readonly CheckResult[]): Incident[] => groupWith(results, MODEL_ENGINE_INCIDENTS);
/** The report's incidents when it carries valid ones, else grouped with model-engine's rules. */
export const incidentsOf = (report: Pick<Report, 'results'> & { incidents?: unknown }): Incident[] => incidentsWith(report, MODEL_ENGINE_INCIDENTS);
