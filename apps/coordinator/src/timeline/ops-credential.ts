import { HttpException, HttpStatus } from '@nestjs/common';
import { readBearer, secretDigest, secretMatches } from '@onevoice/runtime';

/** The staff / operations credential (DESIGN.md section 10) that reads customers' timelines. */
export class OpsCredential {
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
