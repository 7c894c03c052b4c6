import fc from 'fast-check';
import { satisfactionFigures } from './satisfaction-report';

describe('satisfaction figures', () => {
  it('averages CSAT and scores NPS as promoters minus detractors', () => {
    expect(
      satisfactionFigures({
        csat_answers: 3,
        csat_sum: 11,
        nps_answers: 4,
        promoters: 2,
        passives: 1,
        detractors: 1,
      }),
    ).toEqual({
      csat: { answers: 3, mean: 3.67 },
      nps: { answers: 4, promoters: 2, passives: 1, detractors: 1, score: 25 },
    });
    expect(
      satisfactionFigures({
        csat_answers: 0,
        csat_sum: 0,
        nps_answers: 0,
        promoters: 0,
        passives: 0,
        detractors: 0,
      }),
    ).toEqual({
      csat: { answers: 0, mean: null },
      nps: { answers: 0, promoters: 0, passives: 0, detractors: 0, score: null },
    });
  });

  it('keeps CSAT within 1-5 and NPS within -100..100 for any answers', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 200 }),
        fc.array(fc.integer({ min: 0, max: 10 }), { maxLength: 200 }),
        (csat, nps) => {
          const f = satisfactionFigures({
            csat_answers: csat.length,
            csat_sum: csat.reduce((a, b) => a + b, 0),
            nps_answers: nps.length,
            promoters: nps.filter((s) => s >= 9).length,
            passives: nps.filter((s) => s === 7 || s === 8).length,
            detractors: nps.filter((s) => s <= 6).length,
          });
          return (
            (f.csat.mean === null ? csat.length === 0 : f.csat.mean >= 1 && f.csat.mean <= 5) &&
            (f.nps.score === null ? nps.length === 0 : f.nps.score >= -100 && f.nps.score <= 100) &&
            f.nps.promoters + f.nps.passives + f.nps.detractors === f.nps.answers
          );
        },
      ),
    );
  });
});
