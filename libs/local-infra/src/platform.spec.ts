import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { bundleIsCurrent } from './platform';

describe('bundleIsCurrent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crm-bundle-'));
  const bundle = join(dir, 'main.bundle.cjs');
  const buildInfo = join(dir, '.tsbuildinfo');

  it('takes a bundle written at or after tsc last wrote dist/, and no other', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1e9, max: 2e9 }),
        fc.integer({ min: 1e9, max: 2e9 }),
        (bundled, compiled) => {
          writeFileSync(bundle, '');
          writeFileSync(buildInfo, '');
          utimesSync(bundle, bundled, bundled);
          utimesSync(buildInfo, compiled, compiled);
          expect(bundleIsCurrent(bundle, buildInfo)).toBe(bundled >= compiled);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('takes no bundle that is missing, and a bundle when tsc has left no build info', () => {
    expect(bundleIsCurrent(join(dir, 'absent.cjs'), buildInfo)).toBe(false);
    writeFileSync(bundle, '');
    expect(bundleIsCurrent(bundle, join(dir, 'absent.tsbuildinfo'))).toBe(true);
  });
});
