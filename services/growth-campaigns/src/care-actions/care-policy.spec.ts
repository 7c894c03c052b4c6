import { decideCareAction, type CareDecisionInput } from './care-policy';

const marketing: CareDecisionInput = {
  purpose: 'marketing',
  marketingConsent: true,
  recentMarketingTouches: 0,
  frequencyCap: 3,
  inServiceMoment: false,
};

describe('decideCareAction', () => {
  it('sends a service message without marketing consent', () => {
    expect(decideCareAction({ ...marketing, purpose: 'service', marketingConsent: false })).toEqual({
      status: 'triggered',
    });
  });

  it('suppresses marketing without consent, or after consent was withdrawn', () => {
    expect(decideCareAction({ ...marketing, marketingConsent: undefined })).toEqual({
      status: 'suppressed',
      reason: 'no-marketing-consent',
    });
    expect(decideCareAction({ ...marketing, marketingConsent: false })).toEqual({
      status: 'suppressed',
      reason: 'no-marketing-consent',
    });
  });

  it('suppresses marketing at the frequency cap and allows it just below', () => {
    expect(decideCareAction({ ...marketing, recentMarketingTouches: 3 })).toEqual({
      status: 'suppressed',
      reason: 'frequency-cap',
    });
    expect(decideCareAction({ ...marketing, recentMarketingTouches: 2 })).toEqual({ status: 'triggered' });
  });

  it('never puts a promotion on a service moment', () => {
    expect(decideCareAction({ ...marketing, inServiceMoment: true })).toEqual({
      status: 'suppressed',
      reason: 'service-moment',
    });
  });
});

describe('negative preferences', () => {
  const offer = {
    purpose: 'marketing' as const,
    marketingConsent: true,
    recentMarketingTouches: 0,
    frequencyCap: 3,
    inServiceMoment: false,
  };

  it('never makes an offer in a category the customer excluded', () => {
    expect(decideCareAction({ ...offer, categoryExcluded: true })).toEqual({
      status: 'suppressed',
      reason: 'excluded-category',
    });
    expect(decideCareAction({ ...offer, categoryExcluded: false })).toEqual({ status: 'triggered' });
  });

  it('still sends service messages about an excluded category', () => {
    expect(decideCareAction({ ...offer, purpose: 'service', categoryExcluded: true })).toEqual({
      status: 'triggered',
    });
  });
});
