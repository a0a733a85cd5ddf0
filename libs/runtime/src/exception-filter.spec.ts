import type { ArgumentsHost } from '@nestjs/common';
import { ServiceExceptionFilter } from './exception-filter';

/** What an HTTP caller would receive for `exception`. */
function answerTo(exception: unknown) {
  const sent = { status: 0, headers: {} as Record<string, string>, body: undefined as unknown };
  const res = {
    headersSent: false,
    setHeader: (name: string, value: string) => (sent.headers[name] = value),
    status(code: number) {
      sent.status = code;
      return this;
    },
    json: (body: unknown) => (sent.body = body),
  };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getResponse: () => res }),
  } as unknown as ArgumentsHost;
  new ServiceExceptionFilter().catch(exception, host);
  return sent;
}

describe('ServiceExceptionFilter for HTTP callers', () => {
  it.each([
    [
      'a broker that is away',
      Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' }),
    ],
    [
      'a database that refuses connections',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    ],
    [
      'a deadline passed',
      Object.assign(new Error('not acknowledged in time'), { retriable: true }),
    ],
  ])('%s: 503 with Retry-After, in the usual error shape', (_label, error) => {
    const sent = answerTo(error);
    expect(sent.status).toBe(503);
    expect(sent.headers['Retry-After']).toBe('5');
    expect(sent.body).toMatchObject({
      error: 'unavailable',
      message: expect.stringContaining('send the same request again'),
    });
  });

  it('anything else: 500 in the usual error shape, without the internals', () => {
    const sent = answerTo(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(sent.status).toBe(500);
    expect(sent.body).toEqual({
      error: 'internal_error',
      message: 'the request failed unexpectedly; the service log has the details',
    });
  });
});
