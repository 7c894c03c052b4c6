// Validates Kubernetes manifests (a JSON array on stdin) against the schema models of kubernetes-models and
// its Strimzi and Prometheus-operator packages (ES modules, hence a script of its own); prints one line per
// manifest that fails, names what is wrong, and exits 1 if any does.
const input = await new Promise((resolve) => {
  const chunks = [];
  process.stdin.on('data', (c) => chunks.push(c));
  process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
});
const problems = [];
let checked = 0;
for (const manifest of JSON.parse(input)) {
  const [group, version] = manifest.apiVersion.includes('/')
    ? manifest.apiVersion.split('/')
    : ['', manifest.apiVersion];
  const path =
    group === 'kafka.strimzi.io'
      ? `@kubernetes-models/strimzi-kafka-operator/${group}/${version}/${manifest.kind}`
      : group === 'monitoring.coreos.com'
        ? `@kubernetes-models/prometheus-operator/${group}/${version}/${manifest.kind}`
        : `kubernetes-models/${group ? `${group}/` : ''}${version}/${manifest.kind}`;
  const where = `${manifest.kind} ${manifest.metadata?.name}`;
  try {
    const model = await import(path);
    const Model = model[manifest.kind] ?? model.default;
    new Model(manifest).validate();
    checked += 1;
  } catch (error) {
    problems.push(`${where}: ${error.message}`);
  }
}
for (const problem of problems) process.stdout.write(`${problem}\n`);
process.stdout.write(`checked ${checked} manifests, ${problems.length} invalid\n`);
process.exit(problems.length > 0 ? 1 : 0);
