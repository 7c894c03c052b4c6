import { causedBy, causeOf } from './cause';

describe('cause', () => {
  it('takes the event id and correlation id of the event being handled', () => {
    expect(causeOf({ id: 'e-1', correlationId: 'c-1' })).toEqual({ eventId: 'e-1', correlationId: 'c-1' });
  });

  it('names the event as the causation, or else the run', () => {
    expect(causedBy('cust', { correlationId: 'c', eventId: 'e', runId: 'r' })).toEqual({
      subject: 'cust',
      correlationId: 'c',
      causationId: 'e',
    });
    expect(causedBy('cust', { correlationId: 'c', runId: 'r' }).causationId).toBe('r');
    expect(causedBy('cust', { correlationId: 'c' }).causationId).toBeUndefined();
  });
});
