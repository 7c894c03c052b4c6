/**
 * Defaults for running on a laptop. In production (NODE_ENV=production) none apply, so a missing secret
 * fails the start instead of running with a well-known value.
 */
export function localDefaults(values: Record<string, string>): Record<string, string> {
  if (process.env.NODE_ENV === 'production') return {};
  return {
    JWT_SECRET: 'crm-local-development-secret-not-for-production',
    SURVEY_LINK_SECRET: 'crm-local-survey-link-secret-not-for-production',
    KAFKA_CREATE_TOPICS: 'true',
    ...values,
  };
}
