import { isTransientError } from './transient-errors';

describe('isTransientError', () => {
  it.each([
    [{ code: 'ECONNREFUSED' }],
    [{ code: '08006' }],
    [{ code: '57P01' }],
    [{ code: '40001' }],
    [{ code: '40P01' }],
    [{ name: 'KafkaJSConnectionError' }],
    [{ retriable: true }],
    [{ message: 'wrapped', cause: { code: 'ECONNRESET' } }],
    [{ code: 'ENOTFOUND' }],
    [{ code: 'EHOSTUNREACH' }],
    [{ code: 'ENETUNREACH' }],
    [{ code: '25006' }],
    [{ code: '57014' }],
    [new Error('Connection terminated unexpectedly')],
    [new Error('timeout exceeded when trying to connect')],
  ])('waits out %j', (err) => {
    expect(isTransientError(err)).toBe(true);
  });

  it.each([
    [new Error('bad data')],
    [{ code: '23505' }],
    [{ code: '22P02' }],
    // A message that names a connection is not a dropped connection when it carries a code.
    [{ code: '23505', message: 'Connection terminated' }],
    [null],
    ['text'],
  ])('does not wait out %j', (err) => {
    expect(isTransientError(err)).toBe(false);
  });
});
