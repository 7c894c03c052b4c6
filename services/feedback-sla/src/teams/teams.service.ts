import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { STAFF_ID } from '@crm/contracts';
import { execute, queryOne, queryRows, type Queryable } from '@crm/persistence';
import { PersonalTexts, mask } from '@crm/privacy';
import { invalid, notFound } from '@crm/service-kit';
import { findCalendar, loadCalendar } from '../calendars/calendars.repository';
import { onCallAt } from './on-call';

export class TeamView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Takes the breach step of the team members’ tickets' }) lead: string;
  @ApiProperty({ type: [String] }) members: string[];
  @ApiProperty({ type: [String], description: 'Turns by one person each business day of the calendar' })
  onCall: string[];
  @ApiPropertyOptional({ nullable: true }) calendarId: string | null;
  @ApiProperty({ example: '2026-01-05' }) rotationStart: string;
  @ApiPropertyOptional({ nullable: true, description: 'Whose on-call person takes the executive step' })
  escalatesTo: string | null;
  @ApiProperty() updatedBy: string;
  @ApiProperty() updatedAt: Date;
}

export class StaffView {
  @ApiProperty() id: string;
  @ApiPropertyOptional({ nullable: true, description: 'Masked; read in full only when a message is sent' })
  email: string | null;
  @ApiProperty() locale: string;
  @ApiProperty({ type: [String], description: 'What assignment rules can ask of an owner' }) skills: string[];
  @ApiProperty() updatedAt: Date;
}

interface TeamRow {
  id: string;
  name: string;
  lead: string;
  members: string[];
  on_call: string[];
  calendar_id: string | null;
  rotation_start: string;
  escalates_to: string | null;
  updated_by: string;
  updated_at: Date;
}

const view = (r: TeamRow): TeamView => ({
  id: r.id,
  name: r.name,
  lead: r.lead,
  members: r.members,
  onCall: r.on_call,
  calendarId: r.calendar_id,
  rotationStart: r.rotation_start,
  escalatesTo: r.escalates_to,
  updatedBy: r.updated_by,
  updatedAt: r.updated_at,
});

const TEAM_COLUMNS = `id, name, lead, members, on_call, calendar_id, to_char(rotation_start, 'YYYY-MM-DD') AS rotation_start,
                      escalates_to, updated_by, updated_at`;

/** The data key subject of a staff member's sealed texts (the key table is keyed by UUID). */
export function staffKeySubject(staffId: string): string {
  const hex = createHash('sha256').update(`staff:${staffId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface TeamInput {
  name: string;
  lead: string;
  members: string[];
  onCall: string[];
  calendarId?: string | null;
  rotationStart: string;
  escalatesTo?: string | null;
}

export interface EscalationPerson {
  staffId: string;
  teamId?: string;
}

/**
 * Teams and the staff directory: who leads a team, who is on call by its business calendar, and the sealed
 * address a message to a person goes to. The escalation path asks it who takes each step.
 */
@Injectable()
export class TeamsService {
  private readonly logger = new Logger(TeamsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly texts: PersonalTexts,
  ) {}

  async putTeam(id: string, input: TeamInput, actor: string): Promise<TeamView> {
    if (input.calendarId && !(await findCalendar(this.dataSource, input.calendarId)))
      throw invalid('calendarId', `business calendar ${input.calendarId} does not exist`);
    if (
      input.escalatesTo &&
      input.escalatesTo !== id &&
      !(await this.findTeam(this.dataSource, input.escalatesTo))
    )
      throw invalid('escalatesTo', `team ${input.escalatesTo} does not exist`);
    const row = await queryOne<TeamRow>(
      this.dataSource,
      `INSERT INTO teams (id, name, lead, members, on_call, calendar_id, rotation_start, escalates_to, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8, $9)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, lead = EXCLUDED.lead, members = EXCLUDED.members,
         on_call = EXCLUDED.on_call, calendar_id = EXCLUDED.calendar_id, rotation_start = EXCLUDED.rotation_start,
         escalates_to = EXCLUDED.escalates_to, updated_by = EXCLUDED.updated_by, updated_at = now()
       RETURNING ${TEAM_COLUMNS}`,
      [
        id,
        input.name,
        input.lead,
        [...new Set(input.members)],
        input.onCall,
        input.calendarId ?? null,
        input.rotationStart,
        input.escalatesTo ?? null,
        actor,
      ],
    );
    return view(row!);
  }

  async teams(): Promise<TeamView[]> {
    return (await queryRows<TeamRow>(this.dataSource, `SELECT ${TEAM_COLUMNS} FROM teams ORDER BY id`)).map(
      view,
    );
  }

  async team(id: string): Promise<TeamView> {
    const row = await this.findTeam(this.dataSource, id);
    if (!row) throw notFound('team', id);
    return view(row);
  }

  async removeTeam(id: string): Promise<void> {
    await execute(this.dataSource, 'UPDATE teams SET escalates_to = NULL WHERE escalates_to = $1', [id]);
    await execute(this.dataSource, 'DELETE FROM teams WHERE id = $1', [id]);
  }

  /** Who is on call for a team at an instant. */
  async onCall(id: string, at: Date): Promise<{ teamId: string; staffId: string | null; at: string }> {
    const row = await this.findTeam(this.dataSource, id);
    if (!row) throw notFound('team', id);
    const calendar = await loadCalendar(this.dataSource, row.calendar_id);
    return {
      teamId: id,
      staffId: onCallAt(row.on_call, row.rotation_start, calendar, at) ?? null,
      at: at.toISOString(),
    };
  }

  /** The team of an owner: the first (by id) that has them as a member or as its lead. */
  async teamOf(db: Queryable, owner: string): Promise<TeamRow | undefined> {
    return queryOne<TeamRow>(
      db,
      `SELECT ${TEAM_COLUMNS} FROM teams WHERE $1 = ANY (members) OR lead = $1 ORDER BY id LIMIT 1`,
      [owner],
    );
  }

  /** Who takes an escalation step of a ticket owned by `owner` (nobody when the ticket has no owner or team). */
  async escalationPerson(
    db: Queryable,
    owner: string | null,
    step: 'warning' | 'breach' | 'executive',
    at: Date,
  ): Promise<EscalationPerson | undefined> {
    if (!owner) return undefined;
    if (step === 'warning') return { staffId: owner };
    const team = await this.teamOf(db, owner);
    if (!team) return undefined;
    if (step === 'breach') return { staffId: team.lead, teamId: team.id };
    const executives = (team.escalates_to && (await this.findTeam(db, team.escalates_to))) || team;
    const calendar = await loadCalendar(db, executives.calendar_id);
    const person = onCallAt(executives.on_call, executives.rotation_start, calendar, at) ?? executives.lead;
    return { staffId: person, teamId: executives.id };
  }

  async putStaff(
    id: string,
    input: { email?: string | null; locale?: string; skills?: string[] },
    actor: string,
  ): Promise<StaffView> {
    const sealed = await this.texts.seal(this.dataSource, staffKeySubject(id), 'email', input.email ?? null);
    await execute(
      this.dataSource,
      `INSERT INTO staff (id, email_sealed, locale, skills, updated_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET email_sealed = EXCLUDED.email_sealed, locale = EXCLUDED.locale,
         skills = EXCLUDED.skills, updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [id, sealed, input.locale ?? 'en', [...new Set(input.skills ?? [])], actor],
    );
    return this.staff(id);
  }

  async staff(id: string): Promise<StaffView> {
    const row = await queryOne<{
      id: string;
      email_sealed: string | null;
      locale: string;
      skills: string[];
      updated_at: Date;
    }>(this.dataSource, 'SELECT id, email_sealed, locale, skills, updated_at FROM staff WHERE id = $1', [id]);
    if (!row) throw notFound('staff member', id);
    const { email } = await this.texts.open(this.dataSource, staffKeySubject(id), {
      email: row.email_sealed,
    });
    return {
      id: row.id,
      email: mask(email),
      locale: row.locale,
      skills: row.skills,
      updatedAt: row.updated_at,
    };
  }

  /** A staff member leaves: the address key is destroyed with the row. */
  async removeStaff(id: string): Promise<void> {
    await this.texts.erase(this.dataSource, staffKeySubject(id));
    await execute(this.dataSource, 'DELETE FROM staff WHERE id = $1', [id]);
  }

  /** The address a message to a staff member goes to, at the moment of sending; logged by id and reason. */
  async deliveryAddress(
    id: string,
    reason: string,
    caller: string,
  ): Promise<{ address: string | null; locale: string }> {
    if (!STAFF_ID.test(id)) throw invalid('id', 'must be a staff id');
    const row = await queryOne<{ email_sealed: string | null; locale: string }>(
      this.dataSource,
      'SELECT email_sealed, locale FROM staff WHERE id = $1',
      [id],
    );
    if (!row) throw notFound('staff member', id);
    const { email } = await this.texts.open(this.dataSource, staffKeySubject(id), {
      email: row.email_sealed,
    });
    this.logger.log({ msg: 'staff delivery address read', staffId: id, reason, caller });
    return { address: email, locale: row.locale };
  }

  private findTeam(db: Queryable, id: string): Promise<TeamRow | undefined> {
    return queryOne<TeamRow>(db, `SELECT ${TEAM_COLUMNS} FROM teams WHERE id = $1`, [id]);
  }
}
