import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Gauge } from 'prom-client';
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
export const unroutedEscalations = () =>
  counter(
    'crm_escalations_unrouted_total',
    'Escalation steps nobody could take (a ticket without an owner, an owner in no team)',
    ['step'],
  );
export const slaTimerLag = () =>
  histogram(
    'crm_sla_timer_lag_seconds',
    'How late a due timer fired',
    [],
    [0.1, 0.25, 0.5, 1, 2, 5, 30, 300],
  );
/** How long the oldest due, unfired SLA timer has waited (0 when none): a stuck worker shows here. */
export const slaTimersOverdue = (collect?: (this: Gauge<string>) => Promise<void>) =>
  gauge(
    'crm_sla_timers_overdue_seconds',
    'Age of the oldest SLA timer past its due time and not yet fired',
    [],
    collect,
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

  constructor(private readonly dataSource: DataSource) {
    this.fromQuery(
      'crm_tickets_open',
      'Tickets not yet resolved, by priority',
      'priority',
      `SELECT priority AS label, count(*)::int AS value FROM tickets WHERE status <> 'resolved' GROUP BY priority`,
    );
    this.fromQuery(
      'crm_sla_first_response_target_seconds',
      'First-response target of the ticket-type policies',
      'ticket_type',
      `SELECT ticket_type AS label, min(first_response_seconds)::int AS value FROM sla_policies
        WHERE ticket_type IS NOT NULL GROUP BY ticket_type`,
    );
  }

  /** A gauge with one label, set from `label` and `value` columns at each scrape. */
  private fromQuery(name: string, help: string, labelName: string, sql: string): void {
    const { dataSource, logger } = this;
    gauge(name, help, [labelName], async function () {
      this.reset();
      try {
        const rows: { label: string; value: number }[] = await dataSource.query(sql);
        for (const row of rows) this.set({ [labelName]: row.label }, row.value);
      } catch (error) {
        logger.warn({ msg: 'gauge not read', gauge: name, error: (error as Error).message });
      }
    });
  }
}
