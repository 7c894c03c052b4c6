import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import {
  ConsumerGroups,
  deadLetterTopic,
  platformKafkaAcls,
  serviceKafkaAcls,
  TOPIC_CATALOG,
} from '@crm/contracts';
import { SERVICE_CATALOG } from '@crm/local-infra';
import { ensureHelm } from '@crm/testing';

/** The Helm chart, validated offline: lint, render, and check what platform teams rely on. */
const root = join(__dirname, '../..');
const chart = join(root, 'deploy/helm/crm-platform');
let helm: string;

type Manifest = {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: any;
  data?: any;
};

function render(...set: string[]): Manifest[] {
  const args = ['template', 'crm', chart, ...set.flatMap((s) => ['--set', s])];
  const text = execFileSync(helm, args, { encoding: 'utf8' });
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Manifest)
    .filter(Boolean);
}

const ofKind = (manifests: Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.includes('spec') ? [path] : [];
  });
}

/** Validates manifests with the schema models of their apiVersion and kind (an ES-module script); answers its report. */
function validateManifests(manifests: Manifest[]): { ok: boolean; report: string } {
  const result = spawnSync(process.execPath, [join(__dirname, 'validate-manifests.mjs')], {
    input: JSON.stringify(manifests),
    encoding: 'utf8',
    cwd: root,
  });
  return { ok: result.status === 0, report: `${result.stdout}${result.stderr}` };
}

beforeAll(() => {
  helm = ensureHelm();
}, 300_000);

describe('the Helm chart', () => {
  it('lints clean in strict mode', () => {
    const output = execFileSync(helm, ['lint', '--strict', chart], { encoding: 'utf8' });
    expect(output).toContain('0 chart(s) failed');
  });

  it('renders one Deployment, Service, HPA and PDB per service, with the ports and prefixes the code uses', () => {
    const manifests = render();
    for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget'])
      expect(
        ofKind(manifests, kind)
          .map((m) => m.metadata.name)
          .sort(),
      ).toEqual([...SERVICE_CATALOG.map((s) => `crm-${s.name}`), 'crm-console'].sort());
    const ingress = ofKind(manifests, 'Ingress')[0];
    // The console: its own component, under /console on the same host, no database, the identity provider's client.
    expect(ingress.spec.rules[0].http.paths).toContainEqual(
      expect.objectContaining({
        path: '/console',
        backend: { service: { name: 'crm-console', port: { name: 'http' } } },
      }),
    );
    const consoleContainer = ofKind(manifests, 'Deployment').find((m) => m.metadata.name === 'crm-console')!
      .spec.template.spec.containers[0];
    const consoleEnv = Object.fromEntries(
      consoleContainer.env.map((e: { name: string; value?: string }) => [e.name, e.value]),
    );
    expect(consoleEnv).toMatchObject({
      SERVICE_NAME: 'console',
      PORT: '3110',
      CONSOLE_OIDC_CLIENT_ID: 'crm-console',
    });
    expect(consoleEnv.SERVICE_URLS.split(',')).toHaveLength(SERVICE_CATALOG.length);
    expect(consoleEnv).not.toHaveProperty('DATABASE_URL');
    expect(consoleContainer.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(ofKind(render('console.enabled=false'), 'Deployment').map((m) => m.metadata.name)).not.toContain(
      'crm-console',
    );
    for (const service of SERVICE_CATALOG) {
      const deployment = ofKind(manifests, 'Deployment').find(
        (m) => m.metadata.name === `crm-${service.name}`,
      )!;
      const container = deployment.spec.template.spec.containers[0];
      const env = Object.fromEntries(
        container.env.map((e: { name: string; value?: string }) => [e.name, e.value]),
      );
      expect(env).toMatchObject({
        SERVICE_NAME: service.name,
        PORT: String(service.port),
        DATABASE_SCHEMA: service.schema,
      });
      expect(container.ports).toEqual([{ name: 'http', containerPort: service.port }]);
      expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(container.livenessProbe.httpGet.path).toBe('/health/live');
      const secrets = container.env.filter((e: any) => e.valueFrom).map((e: any) => e.name);
      expect(secrets).toEqual(expect.arrayContaining(['DATABASE_URL', 'JWT_SECRET']));
      // Graceful shutdown (25 s) plus the preStop pause fits inside the grace period.
      expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(
        Number(env.SHUTDOWN_TIMEOUT_MS) / 1000 + container.lifecycle.preStop.sleep.seconds,
      );
      expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
      expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(ingress.spec.rules[0].http.paths).toContainEqual(
        expect.objectContaining({
          path: `/${service.prefix}`,
          backend: { service: { name: `crm-${service.name}`, port: { name: 'http' } } },
        }),
      );
    }
    expect(
      ofKind(manifests, 'Deployment')
        .find((m) => m.metadata.name === 'crm-customer-profile')!
        .spec.template.spec.containers[0].env.filter((e: any) => e.valueFrom)
        .map((e: any) => e.name),
    ).toEqual(
      expect.arrayContaining([
        'PII_MASTER_KEY',
        'PII_HASH_KEY',
        'PII_MASTER_KEY_ID',
        'PII_PREVIOUS_MASTER_KEYS',
      ]),
    );
  });

  it('gives a start the time the values allow, migrations included', () => {
    const probes = (manifests: Manifest[]) =>
      ofKind(manifests, 'Deployment')
        .filter((m) => m.metadata.name !== 'crm-console')
        .map((m) => {
          const probe = m.spec.template.spec.containers[0].startupProbe;
          return probe.periodSeconds * probe.failureThreshold;
        });
    expect(new Set(probes(render()))).toEqual(new Set([120]));
    expect(new Set(probes(render('common.startupSeconds=900')))).toEqual(new Set([900]));
  });

  it('never scales a consumer past the partition count', () => {
    // The console is no consumer of a shared group (each replica reads with a group of its own).
    const hpas = ofKind(render('kafka.strimzi.partitions=3'), 'HorizontalPodAutoscaler').filter(
      (h) => h.metadata.name !== 'crm-console',
    );
    expect(Math.max(...hpas.map((h) => h.spec.maxReplicas))).toBe(3);
  });

  it('declares every catalog topic and one dead-letter topic per consumer group as Strimzi KafkaTopics', () => {
    const topics = ofKind(render(), 'KafkaTopic').map((t) => t.spec.topicName);
    expect(topics.sort()).toEqual(
      [...TOPIC_CATALOG.map((t) => t.name), ...Object.values(ConsumerGroups).map(deadLetterTopic)].sort(),
    );
    const compacted = ofKind(render(), 'KafkaTopic').filter(
      (t) => t.spec.config['cleanup.policy'] === 'compact',
    );
    expect(compacted.map((t) => t.spec.topicName)).toEqual(
      TOPIC_CATALOG.filter((t) => t.cleanupPolicy === 'compact').map((t) => t.name),
    );
    expect(compacted[0].spec.config['retention.ms']).toBeUndefined();
    expect(ofKind(render('kafka.strimzi.enabled=false'), 'KafkaTopic')).toEqual([]);
  });

  it('ships alert rules and a dashboard whose every metric is one the services export', () => {
    const manifests = render();
    const rules = ofKind(manifests, 'PrometheusRule')[0].spec.groups.flatMap((g: any) => g.rules);
    expect(rules.map((r: any) => r.alert)).toEqual(
      expect.arrayContaining(['CrmSlaBreached', 'CrmFirstResponseP95OverTarget']),
    );
    const dashboard = JSON.parse(ofKind(manifests, 'ConfigMap')[0].data['crm-platform.json']);
    const expressions = [
      ...rules.map((r: any) => r.expr as string),
      ...dashboard.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr as string)),
    ];
    const code = [...sourceFiles(join(root, 'libs')), ...sourceFiles(join(root, 'services'))]
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const metrics = new Set(
      expressions
        .flatMap((e) => e.match(/\bcrm_[a-z0-9_]+/g) ?? [])
        .map((m) => m.replace(/_(bucket|sum|count)$/, '')),
    );
    expect(metrics.size).toBeGreaterThan(5);
    for (const metric of metrics)
      expect(`${metric}: ${code.includes(`'${metric}'`)}`).toBe(`${metric}: true`);
    // The rule file is also a plain Prometheus rule file.
    expect(parse(readFileSync(join(chart, 'files/alert-rules.yaml'), 'utf8')).groups.length).toBeGreaterThan(
      0,
    );
  });

  it("copies into the image every workspace file the entry point's loader requires", () => {
    const dockerfile = readFileSync(join(root, 'deploy/docker/Dockerfile'), 'utf8');
    const copied = new Set(
      [...dockerfile.matchAll(/^COPY --from=build (.+) \S+$/gm)].flatMap((m) =>
        m[1].split(/\s+/).map((path) => path.replace(/^\/app\//, '')),
      ),
    );
    expect(copied).toContain('tools/dist-paths.cjs');
    const missing: string[] = [];
    const visit = (file: string) => {
      for (const [, required] of readFileSync(join(root, file), 'utf8').matchAll(
        /require\('\.\/([^']+)'\)/g,
      )) {
        const path = `tools/${required}`;
        if (!copied.has(path)) missing.push(`${file} requires ${path}`);
        else visit(path);
      }
    };
    visit('tools/dist-paths.cjs');
    expect(missing).toEqual([]);
  });

  it('starts each service of the image from the bundle that `npm run build` writes for it', () => {
    const dockerfile = readFileSync(join(root, 'deploy/docker/Dockerfile'), 'utf8');
    const entry =
      /^ENTRYPOINT .* (dist\/services\/\$\{SERVICE_NAME:\?[^}]*\}\/src\/main\.bundle\.cjs)"\]$/m.exec(
        dockerfile,
      );
    expect(entry).not.toBeNull();
    for (const name of [...SERVICE_CATALOG.map((s) => s.name), 'console']) {
      const bundle = join(root, entry![1].replace(/\$\{SERVICE_NAME[^}]*\}/, name));
      expect(`${bundle}: ${existsSync(bundle)}`).toBe(`${bundle}: true`);
    }
  });

  it('gives every service a Strimzi KafkaUser with exactly the ACLs its contracts need, and its credentials', () => {
    expect(ofKind(render(), 'KafkaUser')).toEqual([]);
    const manifests = render('kafka.scram.enabled=true');
    const users = ofKind(manifests, 'KafkaUser');
    expect(users.map((u) => u.metadata.name).sort()).toEqual(
      [...SERVICE_CATALOG.map((s) => `crm-${s.name}`), 'crm-console'].sort(),
    );
    // The console only reads: every customer topic, and consumer groups of its own prefix.
    const consoleUser = users.find((u) => u.metadata.name === 'crm-console')!;
    expect(consoleUser.spec.authorization.acls).toEqual([
      ...TOPIC_CATALOG.filter((t) => t.key === 'customerId' && t.cleanupPolicy === 'delete').map((t) => ({
        resource: { type: 'topic', name: t.name, patternType: 'literal' },
        operations: ['Read', 'Describe'],
      })),
      { resource: { type: 'group', name: 'console-live-', patternType: 'prefix' }, operations: ['Read'] },
    ]);
    for (const service of SERVICE_CATALOG) {
      const user = users.find((u) => u.metadata.name === `crm-${service.name}`)!;
      expect(user.spec.authentication.type).toBe('scram-sha-512');
      expect(user.spec.authorization.acls).toEqual(
        serviceKafkaAcls(service.name).map((acl) => ({
          resource: { type: acl.resource, name: acl.name, patternType: acl.patternType },
          operations: acl.operations,
        })),
      );
      const env = ofKind(manifests, 'Deployment').find((d) => d.metadata.name === `crm-${service.name}`)!.spec
        .template.spec.containers[0].env as { name: string; value?: string; valueFrom?: any }[];
      expect(env.find((e) => e.name === 'KAFKA_SASL_USERNAME')?.value).toBe(`crm-${service.name}`);
      expect(env.find((e) => e.name === 'KAFKA_SASL_PASSWORD')?.valueFrom.secretKeyRef).toEqual({
        name: `crm-${service.name}`,
        key: 'password',
      });
    }
  });

  it('keeps the generated ACL file equal to what the contracts say (run `npm run docs:catalog` after a change)', () => {
    expect(JSON.parse(readFileSync(join(chart, 'files/kafka-acls.json'), 'utf8'))).toEqual(
      platformKafkaAcls(),
    );
  });

  it('validates every rendered manifest against the Kubernetes, Strimzi and Prometheus-operator schemas', () => {
    const manifests = [...render(), ...ofKind(render('kafka.scram.enabled=true'), 'KafkaUser')];
    const { ok, report } = validateManifests(manifests);
    expect({ ok, report }).toEqual({
      ok: true,
      report: `checked ${manifests.length} manifests, 0 invalid\n`,
    });
    expect([...new Set(manifests.map((m) => m.kind))]).toEqual(
      expect.arrayContaining([
        'Deployment',
        'Service',
        'Ingress',
        'NetworkPolicy',
        'KafkaTopic',
        'KafkaUser',
        'PrometheusRule',
        'ServiceMonitor',
      ]),
    );
    // A broken manifest is caught: the validator is not a formality.
    const deployment = structuredClone(ofKind(render(), 'Deployment')[0]);
    deployment.spec.replicas = 'two';
    const broken = validateManifests([deployment]);
    expect(broken.ok).toBe(false);
    expect(broken.report).toContain('Deployment crm-');
  });

  it('is hardened: seccomp RuntimeDefault, no service-account token, TLS on the ingress, deny-by-default network policy', () => {
    const manifests = render();
    for (const deployment of ofKind(manifests, 'Deployment')) {
      expect(deployment.spec.template.spec.securityContext.seccompProfile).toEqual({
        type: 'RuntimeDefault',
      });
      expect(deployment.spec.template.spec.automountServiceAccountToken).toBe(false);
      if (deployment.metadata.name !== 'crm-console')
        expect(deployment.spec.template.spec.containers[0].env).toContainEqual({
          name: 'DATABASE_POOL_SIZE',
          value: '8',
        });
    }
    expect(ofKind(manifests, 'Ingress')[0].spec.tls).toEqual([
      { hosts: ['crm.example.internal'], secretName: 'crm-platform-tls' },
    ]);
    const policies = ofKind(manifests, 'NetworkPolicy');
    const deny = policies.find((p) => p.metadata.name === 'crm-default-deny')!;
    expect(deny.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'crm' } },
      policyTypes: ['Ingress', 'Egress'],
    });
    const allowed = policies.find((p) => p.metadata.name === 'crm-allowed')!;
    expect(allowed.spec.ingress[0].ports.map((p: { port: number }) => p.port).sort()).toEqual(
      [...SERVICE_CATALOG.map((s) => s.port), 3110].sort(),
    );
    expect(
      allowed.spec.egress.flatMap((e: { ports: { port: number }[] }) => e.ports.map((p) => p.port)),
    ).toEqual(expect.arrayContaining([53, 9092, 5432, 443]));
    expect(ofKind(render('networkPolicy.enabled=false'), 'NetworkPolicy')).toEqual([]);
  });

  it('connects each service as its own database role when asked', () => {
    const urlKey = (manifests: Manifest[], name: string) =>
      (
        ofKind(manifests, 'Deployment').find((d) => d.metadata.name === `crm-${name}`)!.spec.template.spec
          .containers[0].env as { name: string; valueFrom?: { secretKeyRef: { key: string } } }[]
      ).find((e) => e.name === 'DATABASE_URL')!.valueFrom!.secretKeyRef.key;
    const shared = render();
    const separate = render('database.rolePerService=true');
    for (const service of SERVICE_CATALOG) {
      expect(urlKey(shared, service.name)).toBe('DATABASE_URL');
      expect(urlKey(separate, service.name)).toBe(`DATABASE_URL_${service.schema.toUpperCase()}`);
    }
  });
});
