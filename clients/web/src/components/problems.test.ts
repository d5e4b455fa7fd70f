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

  it('is empty without a problem', () => {
    expect(fieldErrors(null)).toEqual({});
  });
});

describe('describe', () => {
  it('explains a lost update (412) in plain words', () => {
    expect(describeProblem(problem({ status: 412, title: 'Precondition failed' }))).toMatch(/someone else changed/i);
  });

  it('prefers the detail over the title', () => {
    expect(describeProblem(problem({ status: 409, detail: 'Already approved' }))).toBe('Already approved');
  });
});

it('problemOf reads the problem document of an ApiError', () => {
  const error = new ApiError(404, problem({ status: 404, title: 'Not found' }));
  expect(problemOf(error)?.status).toBe(404);
});
