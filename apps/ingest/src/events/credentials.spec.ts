import { HttpException } from '@nestjs/common';
import { DepartmentCredentials } from './credentials';

describe('DepartmentCredentials', () => {
  const credentials = new DepartmentCredentials({
    'token-of-billing': 'billing',
    'token-of-care': 'care',
  });

  it('knows the department behind a bearer token', () => {
    expect(credentials.authenticate('Bearer token-of-billing')).toBe('billing');
    expect(credentials.authenticate('bearer token-of-care')).toBe('care');
  });

  it.each([
    [undefined, 401, 'missing_credential'],
    ['Basic dXNlcjpwYXNz', 401, 'missing_credential'],
    ['Bearer token-of-nobody', 401, 'invalid_credential'],
    ['Bearer token-of-billin', 401, 'invalid_credential'],
  ])('refuses %s', (header, status, error) => {
    try {
      credentials.authenticate(header);
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(HttpException);
      expect((err as HttpException).getStatus()).toBe(status);
      expect((err as HttpException).getResponse()).toMatchObject({ error });
    }
  });
});
