import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from './process-utils';

export interface ServiceDefinition {
  name: string;
  port: number;
  /** Route prefix unique to the service, so one ingress can route all of them. */
  prefix: string;
  schema: string;
}

/** The six services, their default ports and route prefixes. */
export const SERVICE_CATALOG: readonly ServiceDefinition[] = [
  { name: 'customer-profile', port: 3101, prefix: 'profile', schema: 'customer_profile' },
  { name: 'tagging', port: 3102, prefix: 'tagging', schema: 'tagging' },
  { name: 'interaction-log', port: 3103, prefix: 'interactions', schema: 'interaction_log' },
  { name: 'feedback-sla', port: 3104, prefix: 'feedback', schema: 'feedback_sla' },
  { name: 'referral', port: 3105, prefix: 'referral', schema: 'referral' },
  { name: 'growth-campaigns', port: 3106, prefix: 'campaigns', schema: 'growth_campaigns' },
];

/** How a compiled workspace program is run: Node with the dist alias hook. `npm run build` must have run. */
export function nodeCommandFor(relativeScript: string): { command: string; args: string[] } {
  const root = workspaceRoot();
  const script = join(root, 'dist', `${relativeScript}.js`);
  if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first`);
  // kafkajs on Node 24 warns TimeoutNegativeWarning, harmlessly (see docs/architecture.md).
  return {
    command: process.execPath,
    args: ['--disable-warning=TimeoutNegativeWarning', '-r', join(root, 'tools/dist-paths.cjs'), script],
  };
}

export function serviceScript(service: ServiceDefinition): string {
  return `services/${service.name}/src/main`;
}
