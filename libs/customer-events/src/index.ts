/**
 * @crm/customer-events: what a product team needs to build on the CRM platform's customer events.
 * Read docs/building-on-events.md for the rules these helpers follow.
 */
export * from './generated/contracts';
export * from './decode';
export * from './idempotency';
export * from './ordering';
export * from './retry';
