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
  ])('waits out %j', (err) => {
    expect(isTransientError(err)).toBe(true);
  });

  it.each([[new Error('bad data')], [{ code: '23505' }], [{ code: '22P02' }], [null], ['text']])(
    'does not wait out %j',
    (err) => {
      expect(isTransientError(err)).toBe(false);
    },
  );
});
