import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACTED_PATHS } from './logger';

describe('log redaction', () => {
  it('replaces credentials and personal data fields, keeping the rest', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
    logger.info(
      {
        customerId: 'c-1',
        req: { headers: { authorization: 'Bearer secret' } },
        customer: { email: 'a@b.example', phone: '+1', contacts: [{ name: 'Wang Lei' }] },
      },
      'registered',
    );
    const entry = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(entry).toMatchObject({
      customerId: 'c-1',
      msg: 'registered',
      req: { headers: { authorization: '[redacted]' } },
      customer: { email: '[redacted]', phone: '[redacted]', contacts: '[redacted]' },
    });
    expect(lines[0]).not.toContain('Wang Lei');
    expect(lines[0]).not.toContain('a@b.example');
  });
});
