import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The TypeScript blocks of docs/building-on-events.md compile against the client library and its peers. */
const root = join(__dirname, '../../..');

it('compiles every TypeScript example of the guide', () => {
  const guide = readFileSync(join(root, 'docs/building-on-events.md'), 'utf8');
  const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  expect(blocks.length).toBeGreaterThanOrEqual(3);
  const dir = join(root, '.tmp', `guide-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    blocks.forEach((code, i) => writeFileSync(join(dir, `example-${i + 1}.ts`), code));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: '../../tsconfig.base.json',
        compilerOptions: { noEmit: true, types: ['node'], noUnusedLocals: true },
        include: ['*.ts'],
      }),
    );
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    } catch (error) {
      output = (error as { stdout?: string }).stdout ?? String(error);
    }
    expect(output).toBe('');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
