import { HttpException, HttpStatus } from '@nestjs/common';
import type { Department } from '@onevoice/contracts';
import { createHash, timingSafeEqual } from 'node:crypto';

/** Maps a bearer token to the department it belongs to. */
export class DepartmentCredentials {
  private readonly byDigest: [Buffer, Department][];

  constructor(tokens: Record<string, Department>) {
    this.byDigest = Object.entries(tokens).map(([token, dept]) => [digest(token), dept]);
  }

  /** The department of an `Authorization: Bearer …` header; 401 when there is none or it is wrong. */
  authenticate(authorization: string | undefined): Department {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) {
      throw new HttpException(
        {
          error: 'missing_credential',
          field: 'Authorization',
          message: 'send your department credential as "Authorization: Bearer <token>"',
        },
        HttpStatus.UNAUTHORIZED,
      );
    }
    const presented = digest(match[1]!);
    const found = this.byDigest.find(([known]) => timingSafeEqual(known, presented));
    if (!found) {
      throw new HttpException(
        {
          error: 'invalid_credential',
          field: 'Authorization',
          message: 'the bearer token is not a department credential',
        },
        HttpStatus.UNAUTHORIZED,
      );
    }
    return found[1];
  }
}

// Comparing fixed-length digests keeps the comparison constant-time whatever the token length.
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
