import type { Schemas } from '../api/client';

export type Point = Schemas['GridStakeholder'];
export type Quadrant = Schemas['Quadrant'];

/** The quadrant of a cell, by the tenant's threshold (high means ≥ threshold). */
export function quadrantOf(interest: number, influence: number, threshold: number): Quadrant {
  const highInterest = interest >= threshold;
  const highInfluence = influence >= threshold;
  if (highInfluence) return highInterest ? 'manage_closely' : 'keep_satisfied';
  return highInterest ? 'keep_informed' : 'monitor';
}

/** Stakeholders by cell ("interest,influence"); the unassessed apart. */
export function placeOnGrid(points: Point[]): { cells: Map<string, Point[]>; unassessed: Point[] } {
  const cells = new Map<string, Point[]>();
  const unassessed: Point[] = [];
  for (const point of points) {
    if (point.interest === null || point.influence === null) {
      unassessed.push(point);
      continue;
    }
    const key = `${point.interest},${point.influence}`;
    cells.set(key, [...(cells.get(key) ?? []), point]);
  }
  return { cells, unassessed };
}

/** How many points a cell shows before it counts the rest ("+3 more"). */
export const SHOWN_PER_CELL = 3;
