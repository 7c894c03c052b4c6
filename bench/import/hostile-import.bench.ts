import { hostileCsvFiles, importWithPeakRss, residentBytes } from '@crm/testing';
import { argument, benchToken } from '../stats';

/**
 * Hostile CSV imports against a running customer-profile (`npm start`): for each file, the peak resident
 * memory of the service while it reads it, against the 256 MiB target, and what the import reported.
 */
const profileUrl = argument('profile-url', 'http://127.0.0.1:3101/profile');
const scale = Number(argument('scale', '1'));
const metricsUrl = `${profileUrl.replace(/\/profile$/, '')}/metrics`;
const token = benchToken();
const MiB = 1024 * 1024;

async function main(): Promise<void> {
  process.stdout.write(
    `command: npm run bench:import-hostile -- --profile-url ${profileUrl} --scale ${scale}\n`,
  );
  process.stdout.write(
    `customer-profile RSS at rest: ${((await residentBytes(metricsUrl)) / MiB).toFixed(0)} MiB\n`,
  );
  for (const file of hostileCsvFiles(scale)) {
    const result = await importWithPeakRss(`${profileUrl}/imports/customers`, metricsUrl, token, file);
    const firstError = result.lines.find((l) => l.type === 'error');
    process.stdout.write(
      `${file.name} (${(file.bytes / MiB).toFixed(1)} MiB): HTTP ${result.status}, ${result.seconds.toFixed(1)} s, ` +
        `peak RSS ${(result.peakRssBytes / MiB).toFixed(0)} MiB (target < 256), ` +
        `first error: line ${String(firstError?.line)} ${String(firstError?.message)}\n`,
    );
  }
}

main().catch((error: Error) => {
  process.stderr.write(`bench:import-hostile failed: ${error.message}\n`);
  process.exit(1);
});
