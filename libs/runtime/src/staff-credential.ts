import { HttpException, HttpStatus } from '@nestjs/common';
import { readBearer, secretDigest, secretMatches } from './bearer';

/**
 * The staff / operations credential (DESIGN.md section 10): what reads a customer's timeline,
 * profile and preferences, and changes preferences on their behalf.
 */
export class StaffCredential {
  private readonly digest: Buffer;

  constructor(token: string) {
    this.digest = secretDigest(token);
  }

  check(authorization: string | undefined): void {
    const token = readBearer(authorization);
    if (token === undefined) {
      throw new HttpException(
        {
          error: 'missing_credential',
          field: 'Authorization',
          message: 'send the staff credential as "Authorization: Bearer <token>"',
        },
        HttpStatus.UNAUTHORIZED,
      );
    }
    if (!secretMatches(this.digest, token)) {
      throw new HttpException(
        {
          error: 'invalid_credential',
          field: 'Authorization',
          message: 'the bearer token is not the staff credential',
        },
        HttpStatus.UNAUTHORIZED,
      );
    }
  }
}
