import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { counter, gauge, histogram } from '@crm/observability';

/** SLA metrics for SREs. Labels are policy, metric, ticket type and priority: never a customer id. */
export const slaBreaches = () =>
  counter('crm_sla_breaches_total', 'SLA deadlines that passed unmet', ['policy', 'metric']);
export const slaOutcomes = () =>
  counter('crm_sla_outcomes_total', 'SLA deadlines settled, met or breached', [
    'policy',
    'metric',
    'outcome',
  ]);
export const slaWarnings = () =>
  counter('crm_sla_warnings_total', 'SLA deadlines that reached their warning share unmet', [
    'policy',
    'metric',
  ]);
export const ticketEscalations = () =>
  counter('crm_ticket_escalations_total', 'Tickets escalated, by level', ['level']);
export const slaTimerLag = () =>
  histogram(
    'crm_sla_timer_lag_seconds',
    'How late a due timer fired',
    [],
    [0.1, 0.25, 0.5, 1, 2, 5, 30, 300],
  );
export const firstResponseSeconds = () =>
  histogram(
    'crm_ticket_first_response_seconds',
    'Time from opening to first response (clock time)',
    ['ticket_type'],
    [60, 300, 1800, 3600, 7200, 43200, 86400, 259200],
  );
export const resolutionSeconds = () =>
  histogram(
    'crm_ticket_resolution_seconds',
    'Time from opening to resolution (clock time)',
    ['ticket_type'],
    [300, 3600, 14400, 43200, 86400, 259200, 604800],
  );
export const ticketsOpened = () =>
  counter('crm_tickets_opened_total', 'Tickets opened', ['ticket_type', 'priority']);

/** Gauges read from the database at scrape time, so every replica reports the same truth (use max, not sum). */
@Injectable()
export class SlaGauges {
  private readonly logger = new Logger(SlaGauges.name);

  constructor(dataSource: DataSource) {
    const logger = this.logger;
    gauge('crm_tickets_open', 'Tickets not yet resolved, by priority', ['priority'], async function () {
      this.reset();
      try {
        const rows = await dataSource.query(
          `SELECT priority, count(*)::int AS n FROM tickets WHERE status <> 'resolved' GROUP BY priority`,
        );
        for (const row of rows) this.set({ priority: row.priority }, row.n);
      } catch (error) {
        logger.warn({ msg: 'open tickets gauge not read', error: (error as Error).message });
      }
    });
    gauge(
      'crm_sla_first_response_target_seconds',
      'First-response target of the ticket-type policies',
      ['ticket_type'],
      async function () {
        this.reset();
        try {
          const rows = await dataSource.query(
            `SELECT ticket_type, min(first_response_seconds)::int AS seconds FROM sla_policies
              WHERE ticket_type IS NOT NULL GROUP BY ticket_type`,
          );
          for (const row of rows) this.set({ ticket_type: row.ticket_type }, row.seconds);
        } catch (error) {
          logger.warn({ msg: 'SLA target gauge not read', error: (error as Error).message });
        }
      },
    );
  }
}
