/**
 * CSV files nobody should send, generated in chunks (never held whole): what an import must survive in
 * bounded memory. Used by the import test and by `npm run bench:import-hostile`.
 */
export interface HostileFile {
  name: string;
  bytes: number;
  chunks(): AsyncGenerator<string>;
}

const MiB = 1024 * 1024;

async function* repeated(head: string, unit: string, total: number, tail = ''): AsyncGenerator<string> {
  yield head;
  const block = unit.repeat(Math.max(1, Math.floor((64 * 1024) / unit.length)));
  let sent = head.length;
  while (sent + block.length <= total - tail.length) {
    yield block;
    sent += block.length;
  }
  if (tail) yield tail;
}

export function hostileCsvFiles(scale = 1): HostileFile[] {
  const header = 'externalRef,kind,name\n';
  const unclosed = Math.floor(64 * MiB * scale);
  const longField = Math.floor(50 * MiB * scale);
  const columns = Math.floor(1_000_000 * scale);
  return [
    {
      name: 'an unclosed quote, then 64 MiB without one',
      bytes: unclosed,
      chunks: () => repeated(`${header}H-1,person,"never closed `, 'more text, with commas; ', unclosed),
    },
    {
      name: 'one 50 MiB field',
      bytes: longField,
      chunks: () => repeated(`${header}H-2,person,`, 'x', longField, '\nH-3,person,Fine\n'),
    },
    {
      name: `${columns.toLocaleString('en')} columns in one row`,
      bytes: header.length + columns * 2,
      chunks: () => repeated(`${header}H-4`, ',c', header.length + columns * 2, '\n'),
    },
  ];
}

/** The resident memory of a service, from its Prometheus endpoint. */
export async function residentBytes(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text.split('\n').find((l) => l.startsWith('process_resident_memory_bytes'));
  return Number(line?.split(' ').pop() ?? NaN);
}

/** Posts a generated CSV as a stream and samples the service's RSS meanwhile; answers the report and the peak. */
export async function importWithPeakRss(
  importUrl: string,
  metricsUrl: string,
  token: string,
  file: HostileFile,
): Promise<{ status: number; lines: Record<string, unknown>[]; peakRssBytes: number; seconds: number }> {
  let peak = await residentBytes(metricsUrl);
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await residentBytes(metricsUrl));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const started = Date.now();
  try {
    const response = await fetch(importUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: ReadableStream.from(file.chunks()),
      duplex: 'half',
    } as RequestInit & { duplex: 'half' });
    const text = await response.text();
    const lines = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { status: response.status, lines, peakRssBytes: peak, seconds: (Date.now() - started) / 1000 };
  } finally {
    sampling = false;
    await sampler;
  }
}
