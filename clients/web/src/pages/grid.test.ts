import { placeOnGrid, quadrantOf, type Point } from './grid';

const point = (id: string, interest: number | null, influence: number | null): Point =>
  ({ id, name: id, kind: 'person', categories: [], organisation_id: null, interest, influence, attitude: null, quadrant: null, source: null, assessed_at: null }) as Point;

describe('quadrantOf', () => {
  it('places the four corners by the threshold', () => {
    expect(quadrantOf(5, 5, 3)).toBe('manage_closely');
    expect(quadrantOf(1, 5, 3)).toBe('keep_satisfied');
    expect(quadrantOf(5, 1, 3)).toBe('keep_informed');
    expect(quadrantOf(1, 1, 3)).toBe('monitor');
  });

  it('counts a score equal to the threshold as high', () => {
    expect(quadrantOf(3, 3, 3)).toBe('manage_closely');
    expect(quadrantOf(3, 3, 4)).toBe('monitor');
  });
});

describe('placeOnGrid', () => {
  it('puts stakeholders with the same scores in one cell and keeps the unassessed apart', () => {
    const { cells, unassessed } = placeOnGrid([point('a', 4, 4), point('b', 4, 4), point('c', 1, 2), point('d', null, null)]);
    expect(cells.get('4,4')?.map((p) => p.id)).toEqual(['a', 'b']);
    expect(cells.get('1,2')?.map((p) => p.id)).toEqual(['c']);
    expect(unassessed.map((p) => p.id)).toEqual(['d']);
  });
});
