import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { MEMBERSHIP_LEVELS, type MembershipLevel } from '@crm/contracts';
import { queryOne, queryRows } from '@crm/persistence';

/** A re-scoring that moves a level reads the privileges at most this stale (a change shows within it). */
const CACHE_MS = 10_000;

export interface LevelPrivileges {
  level: MembershipLevel;
  privileges: string[];
  updatedAt: Date;
  updatedBy: string;
}

/** The membership program's privileges per level (`membership_privileges`). */
@Injectable()
export class MembershipPrivileges {
  private cache?: { byLevel: Record<string, string[]>; readAt: number };

  constructor(private readonly dataSource: DataSource) {}

  async all(): Promise<LevelPrivileges[]> {
    const rows = await queryRows<{
      level: MembershipLevel;
      privileges: string[];
      updated_at: Date;
      updated_by: string;
    }>(this.dataSource, 'SELECT * FROM membership_privileges');
    return MEMBERSHIP_LEVELS.map((level) => {
      const row = rows.find((r) => r.level === level);
      return {
        level,
        privileges: row?.privileges ?? [],
        updatedAt: row?.updated_at ?? new Date(0),
        updatedBy: row?.updated_by ?? 'none',
      };
    });
  }

  async byLevel(manager: EntityManager | DataSource = this.dataSource): Promise<Record<string, string[]>> {
    if (this.cache && Date.now() - this.cache.readAt < CACHE_MS) return this.cache.byLevel;
    const rows = await queryRows<{ level: string; privileges: string[] }>(
      manager,
      'SELECT level, privileges FROM membership_privileges',
    );
    const byLevel = Object.fromEntries(rows.map((r) => [r.level, r.privileges]));
    this.cache = { byLevel, readAt: Date.now() };
    return byLevel;
  }

  async put(level: MembershipLevel, privileges: string[], by: string): Promise<LevelPrivileges> {
    const row = await queryOne<{
      level: MembershipLevel;
      privileges: string[];
      updated_at: Date;
      updated_by: string;
    }>(
      this.dataSource,
      `INSERT INTO membership_privileges (level, privileges, updated_at, updated_by) VALUES ($1, $2, now(), $3)
       ON CONFLICT (level) DO UPDATE SET privileges = EXCLUDED.privileges, updated_at = now(), updated_by = EXCLUDED.updated_by
       RETURNING *`,
      [level, JSON.stringify(privileges), by],
    );
    this.cache = undefined;
    return {
      level: row!.level,
      privileges: row!.privileges,
      updatedAt: row!.updated_at,
      updatedBy: row!.updated_by,
    };
  }
}
