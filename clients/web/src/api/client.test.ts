import { ApiError, ensureOk, unwrap } from './client';
import { describe as describeProblem } from '../components/problems';

const answer = (status: number, body?: object) => ({
  data: status < 400 && body ? body : undefined,
  error: status >= 400 ? (body ?? {}) : undefined,
  response: new Response(null, { status }),
});

describe('ensureOk', () => {
  it('accepts 204 No Content, which unwrap would refuse for want of a body', () => {
    expect(() => ensureOk(answer(204))).not.toThrow();
    expect(() => unwrap(answer(204))).toThrow(ApiError);
  });

  it('throws the problem of a refused call', () => {
    const refused = answer(412, { title: 'Precondition failed', status: 412 });
    expect(() => ensureOk(refused)).toThrow(expect.objectContaining({ status: 412, problem: expect.objectContaining({ title: 'Precondition failed' }) }));
  });
});

describe('an error answer that is no problem document', () => {
  const failure = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return error as ApiError;
    }
    throw new Error('no throw');
  };

  it('says the service is unavailable for a gateway\'s empty 503 (HTTP/2: statusText is "")', () => {
    // openapi-fetch answers an empty error body as { error: undefined }.
    const error = failure(() => unwrap({ error: undefined, response: new Response(null, { status: 503, headers: { 'Content-Length': '0' } }) }));
    expect(describeProblem(error.problem)).toBe('The service is unavailable at the moment. Try again shortly.');
  });

  it('says so for an HTML 502 too, which openapi-fetch passes on as a string, not as a problem', () => {
    const error = failure(() => unwrap({ error: '<html><body>502 Bad Gateway</body></html>', response: new Response('x', { status: 502 }) }));
    expect(error.problem.status).toBe(502);
    expect(describeProblem(error.problem)).toMatch(/service is unavailable/);
  });

  it('names the status of any other failure without a body', () => {
    expect(describeProblem(failure(() => ensureOk({ response: new Response(null, { status: 500 }) })).problem)).toBe('Request failed (500)');
  });

  it("keeps the API's own problem, even on a 503", () => {
    const error = failure(() => ensureOk(answer(503, { title: 'Service unavailable', status: 503, detail: 'The database cannot be reached' })));
    expect(describeProblem(error.problem)).toBe('The database cannot be reached');
  });
});
