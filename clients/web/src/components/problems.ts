import { useState } from 'react';
import { ApiError, type Problem } from '../api/client';

// Where a bad value was, as the first part of an error's `loc` (then the field): not itself a field.
const LOCATIONS = new Set<unknown>(['body', 'query', 'path', 'header', 'cookie']);

/** Field errors of a problem+json, keyed by field name (the first name in `loc` after where it was). */
export function fieldErrors(problem: Problem | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const error of problem?.errors ?? []) {
    const parts = LOCATIONS.has(error.loc[0]) ? error.loc.slice(1) : error.loc;
    const field = parts.find((part): part is string => typeof part === 'string') ?? 'form';
    out[field] ??= error.msg;
  }
  return out;
}

/** The same errors by the id of the input each belongs to (API field → input id, as the error summary links them). */
export function inputErrors(problem: Problem | null | undefined, fieldIds: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(fieldErrors(problem)).flatMap(([field, msg]) => (fieldIds[field] ? [[fieldIds[field], msg]] : [])));
}

export function problemOf(error: unknown): Problem | null {
  if (error instanceof ApiError) return error.problem;
  if (error instanceof Error) return { type: 'about:blank', title: error.message, status: 0 } as Problem;
  return null;
}

/** One sentence for a failed call, for the error summary when no field is to blame. */
export function describe(problem: Problem): string {
  // Not "reload": the token is kept in memory only, so reloading the page signs the user out.
  if (problem.status === 412) return 'Someone else changed this record since you opened it, so your change was not saved. Open the record again to see theirs, then make yours.';
  // The API's reason when it gives one ("Only a lead or an admin may archive feedback marked publishable").
  if (problem.status === 403) return problem.detail || 'Your role does not allow this.';
  return problem.detail || problem.title;
}

/**
 * The problem of a page's (or form's) latest failed call, for its ErrorSummaryBox: pass `onError` to the
 * mutations, call `clear` when one succeeds.
 */
export function useProblem() {
  const [problem, setProblem] = useState<Problem | null>(null);
  return { problem, setProblem, onError: (error: unknown) => setProblem(problemOf(error)), clear: () => setProblem(null) };
}
