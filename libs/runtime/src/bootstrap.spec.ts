import { startFailure } from './bootstrap';

describe('why a service could not start', () => {
  it('names a taken port and how to choose another', () => {
    const taken = Object.assign(
      new Error('listen EADDRINUSE: address already in use 0.0.0.0:3003'),
      {
        code: 'EADDRINUSE',
        port: 3003,
      },
    );
    expect(startFailure(taken, 'survey-throttler')).toBe(
      'port 3003 is taken by another process: stop it, or give survey-throttler another port (PORT; with npm start, SURVEY_THROTTLER_PORT)',
    );
  });

  it('gives a configuration error as it is, and anything else with its stack', () => {
    const config = Object.assign(new Error('invalid configuration:\n  PORT: too big'), {
      name: 'ConfigError',
    });
    expect(startFailure(config, 'ingest')).toBe('invalid configuration:\n  PORT: too big');
    const other = new Error('boom');
    expect(startFailure(other, 'ingest')).toBe(other.stack);
  });
});
