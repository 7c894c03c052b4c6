import { deadlines, selectPolicy, type SlaPolicy } from './sla-policy';

const policy = (p: Partial<SlaPolicy> & Pick<SlaPolicy, 'id' | 'position'>): SlaPolicy => ({
  ticketType: null,
  customerTier: null,
  customerSegment: null,
  priority: null,
  firstResponseSeconds: 86400,
  resolutionSeconds: 259200,
  requiresOwner: false,
  ...p,
});

const defaults = [
  policy({
    id: 'complaint',
    position: 10,
    ticketType: 'complaint',
    firstResponseSeconds: 1800,
    requiresOwner: true,
  }),
  policy({ id: 'fault', position: 20, ticketType: 'fault', firstResponseSeconds: 7200 }),
  policy({ id: 'high-value', position: 40, customerTier: 'high-value', firstResponseSeconds: 43200 }),
  policy({ id: 'core', position: 50, customerSegment: 'core', firstResponseSeconds: 43200 }),
  policy({ id: 'default', position: 1000 }),
];

describe('selectPolicy', () => {
  it('gives a complaint 30 minutes whatever the tier', () => {
    expect(
      selectPolicy(defaults, {
        ticketType: 'complaint',
        priority: 'normal',
        customerTier: 'high-value',
        customerSegment: 'core',
      })?.id,
    ).toBe('complaint');
  });

  it('gives a high-value customer 12 hours for a suggestion, and an unknown customer 24', () => {
    expect(
      selectPolicy(defaults, {
        ticketType: 'suggestion',
        priority: 'normal',
        customerTier: 'high-value',
        customerSegment: null,
      })?.firstResponseSeconds,
    ).toBe(43200);
    expect(
      selectPolicy(defaults, {
        ticketType: 'suggestion',
        priority: 'normal',
        customerTier: null,
        customerSegment: null,
      })?.id,
    ).toBe('default');
  });

  it('lets a policy placed earlier win (first match)', () => {
    const test = policy({ id: 'test', position: 0, ticketType: 'complaint', firstResponseSeconds: 1 });
    expect(
      selectPolicy([...defaults, test], {
        ticketType: 'complaint',
        priority: 'normal',
        customerTier: null,
        customerSegment: null,
      })?.id,
    ).toBe('test');
  });

  it('computes deadlines from the opening time', () => {
    const opened = new Date('2024-05-20T09:30:00.000Z');
    const due = deadlines(defaults[0], opened);
    expect(due.firstResponseDueAt.toISOString()).toBe('2024-05-20T10:00:00.000Z');
    expect(due.resolutionDueAt.toISOString()).toBe('2024-05-23T09:30:00.000Z');
  });
});
