import fc from 'fast-check';
import { BadRequestException } from '@nestjs/common';
import { membersSql, metricDefinition, METRICS, SEGMENT_PATTERN } from './kpi-metrics';
import { achievement } from './kpis.service';

describe('the KPI definitions', () => {
  it('name each metric once, each with a definition, and the handbook targets', () => {
    const ids = METRICS.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of METRICS) {
      expect(m.definition.length).toBeGreaterThan(20);
      // Postgres must see both period parameters in every statement (it types them from their use).
      const sql = m.sql({ declineMonths: 6 });
      expect({ id: m.id, from: sql.includes('$1'), to: sql.includes('$2') }).toEqual({
        id: m.id,
        from: true,
        to: true,
      });
    }
    expect(metricDefinition('activation-rate').target).toBe(0.3);
    expect(metricDefinition('resolution-rate').target).toBe(0.95);
    expect(metricDefinition('referral-success-rate').target).toBe(0.2);
    expect(metricDefinition('referred-retention-30d').target).toBe(0.4);
    expect(() => metricDefinition('happiness')).toThrow(BadRequestException);
  });

  it('read a segment as one bound parameter, and refuse anything else with a 400 (generated)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.constantFrom('all', 'tier:high-value', 'segment:vip-1', 'stage:decline')),
        (segment) => {
          if (!SEGMENT_PATTERN.test(segment)) {
            expect(() => membersSql(segment)).toThrow(BadRequestException);
            return;
          }
          const { sql, parameter } = membersSql(segment);
          // The value is never spliced into the SQL: it travels as $3.
          if (parameter !== null) expect(sql).toContain('$3');
          expect(sql).not.toContain("'");
        },
      ),
    );
  });

  it('measure achievement from baseline (0 %) to target (100 %), either direction', () => {
    expect(achievement(3.5, 4.5, 4)).toBe(50);
    expect(achievement(3.5, 4.5, 4.5)).toBe(100);
    expect(achievement(0.3, 0.1, 0.2)).toBe(50);
    expect(achievement(1, 1, 2)).toBeNull();
    expect(achievement(1, 2, null)).toBeNull();
  });
});
