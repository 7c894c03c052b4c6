import fc from 'fast-check';
import { checkItems, type SurveyItem } from './survey-policy';

const items: SurveyItem[] = [
  { item: 'speed', label: 'speed of response' },
  { item: 'solution', label: 'quality of the solution' },
  { item: 'attitude', label: 'friendliness' },
];

describe('survey items', () => {
  it('names the low items in the survey order, and each bad item by field', () => {
    expect(checkItems('csat', items, { attitude: 2, speed: 1, solution: 5 }).low.map((i) => i.item)).toEqual([
      'speed',
      'attitude',
    ]);
    expect(checkItems('csat', items, { colour: 3, speed: 9 }).problems).toEqual([
      { field: 'items.colour', message: 'is not an item of a CSAT survey (speed, solution, attitude)' },
      { field: 'items.speed', message: 'must be a whole number from 1 to 5 for CSAT' },
    ]);
    expect(checkItems('nps', [], { speed: 3 }).problems).toEqual([
      { field: 'items.speed', message: 'a NPS survey has no items' },
    ]);
    expect(checkItems('csat', items, undefined)).toEqual({ problems: [], low: [] });
  });

  it('for any answer: either problems and no low items, or low items that are exactly the known ones scored 1-2', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(fc.integer({ min: -2, max: 12 }), fc.string())),
        (answer) => {
          const { problems, low } = checkItems('csat', items, answer);
          if (problems.length > 0) return low.length === 0;
          return (
            low.every((i) => (answer[i.item] as number) <= 2) &&
            Object.entries(answer).every(([k, v]) => (v as number) > 2 || low.some((i) => i.item === k))
          );
        },
      ),
    );
  });
});
