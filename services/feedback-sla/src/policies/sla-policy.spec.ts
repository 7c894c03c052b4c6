import { selectPolicy, type SlaPolicy } from './sla-policy';

const policy = (p: Partial<SlaPolicy> & Pick<SlaPolicy, 'id' | 'position'>): SlaPolicy => ({
  ticketType: null,
  customerTier: null,
  customerSegment: null,
  priority: null,
  firstResponseSeconds: 86400,
  nextResponseSeconds: null,
  resolutionSeconds: 259200,
  requiresOwner: false,
  calendarId: null,
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

  it('matches on priority when a policy names one', () => {
    const urgent = policy({ id: 'urgent', position: 1, priority: 'urgent', firstResponseSeconds: 900 });
    const facts = { ticketType: 'fault', customerTier: null, customerSegment: null };
    expect(selectPolicy([...defaults, urgent], { ...facts, priority: 'urgent' })?.id).toBe('urgent');
    expect(selectPolicy([...defaults, urgent], { ...facts, priority: 'normal' })?.id).toBe('fault');
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
});
