import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * @crm/customer-events is publishable on its own: it builds with its own tsconfig, packs with its
 * declarations, and the packed package decodes a record when installed outside the workspace (with only its
 * declared dependencies beside it).
 */
const pkg = join(__dirname, '..');
const workspace = join(pkg, '../..');

it('builds, packs and works from the tarball, outside the workspace', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'customer-events-'));
  try {
    const tsc = join(workspace, 'node_modules/typescript/bin/tsc');
    execFileSync(process.execPath, [
      tsc,
      '-p',
      join(pkg, 'tsconfig.lib.json'),
      '--outDir',
      join(pkg, 'dist'),
    ]);
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: pkg, encoding: 'utf8' }),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed[0].files.map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts']),
    );
    expect(files.filter((f) => f.startsWith('src/') || f.endsWith('.spec.js'))).toEqual([]);

    const app = join(scratch, 'app');
    execFileSync('mkdir', ['-p', join(app, 'node_modules/@crm')]);
    execFileSync('tar', [
      '-xzf',
      join(
        scratch,
        readdirSync(scratch).find((f) => f.endsWith('.tgz'))!,
      ),
      '-C',
      scratch,
    ]);
    execFileSync('mv', [join(scratch, 'package'), join(app, 'node_modules/@crm/customer-events')]);
    for (const dependency of [
      'ajv',
      'ajv-formats',
      'fast-deep-equal',
      'fast-uri',
      'json-schema-traverse',
      'require-from-string',
    ])
      symlinkSync(join(workspace, 'node_modules', dependency), join(app, 'node_modules', dependency));
    const script = `
      const { decodeEvent, EVENT_SCHEMAS } = require('@crm/customer-events');
      const fixture = EVENT_SCHEMAS['crm.lifecycle-stage.changed.v1'].examples[0];
      const event = decodeEvent({
        key: fixture.customerId,
        value: JSON.stringify(fixture),
        headers: { ce_id: 'e-1', ce_type: 'crm.lifecycle-stage.changed.v1', ce_specversion: '1.0', ce_subject: fixture.customerId },
      });
      process.stdout.write(event.data.stage);`;
    expect(execFileSync(process.execPath, ['-e', script], { cwd: app, encoding: 'utf8' })).toBe('maturity');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(join(pkg, 'dist'), { recursive: true, force: true });
  }
}, 120_000);
