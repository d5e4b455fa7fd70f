import { ApiError, type Problem } from '../api/client';
import { describe as describeProblem, fieldErrors, problemOf } from './problems';

const problem = (extra: Partial<Problem>): Problem => ({ type: 'about:blank', title: 'Unprocessable', status: 422, ...extra }) as Problem;

describe('fieldErrors', () => {
  it('keys each message by the field named in loc, skipping "body"', () => {
    const errors = fieldErrors(problem({ errors: [{ loc: ['body', 'email'], msg: 'not an email' }, { loc: ['body', 'categories', 0], msg: 'unknown category' }] }));
    expect(errors).toEqual({ email: 'not an email', categories: 'unknown category' });
  });

  it('keeps the first message when a field has several', () => {
    expect(fieldErrors(problem({ errors: [{ loc: ['body', 'name'], msg: 'first' }, { loc: ['body', 'name'], msg: 'second' }] }))).toEqual({ name: 'first' });
  });

  it('keys a query, path or header parameter by its name, not by where it was', () => {
    const errors = fieldErrors(problem({ errors: [
      { loc: ['query', 'min_influence'], msg: 'Input should be a valid integer' },
      { loc: ['path', 'plan_id'], msg: 'Input should be a valid UUID' },
      { loc: ['header', 'If-Match'], msg: 'Field required' },
    ] }));
    expect(errors).toEqual({ min_influence: 'Input should be a valid integer', plan_id: 'Input should be a valid UUID', 'If-Match': 'Field required' });
  });

  it('is empty without a problem', () => {
    expect(fieldErrors(null)).toEqual({});
  });
});

describe('describe', () => {
  it('explains a lost update (412) in plain words', () => {
    expect(describeProblem(problem({ status: 412, title: 'Precondition failed' }))).toMatch(/someone else changed/i);
  });

  it("gives the API's reason for a 403, and a general sentence only when it gives none", () => {
    const reason = 'Only a lead or an admin may archive feedback marked publishable';
    expect(describeProblem(problem({ status: 403, title: 'Not allowed for your role', detail: reason }))).toBe(reason);
    expect(describeProblem(problem({ status: 403, title: 'Not allowed for your role', detail: null }))).toBe('Your role does not allow this.');
  });

  it('prefers the detail over the title', () => {
    expect(describeProblem(problem({ status: 409, detail: 'Already approved' }))).toBe('Already approved');
  });
});

it('problemOf reads the problem document of an ApiError', () => {
  const error = new ApiError(404, problem({ status: 404, title: 'Not found' }));
  expect(problemOf(error)?.status).toBe(404);
});
