import { ApiError, ensureOk, unwrap } from './client';

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
