import { HttpException, HttpStatus } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';

/** The token of an `Authorization: Bearer …` header, or undefined. */
export function readBearer(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
}

/** A fixed-length digest of a secret, to compare in constant time whatever its length. */
export function secretDigest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function secretMatches(known: Buffer, presented: string): boolean {
  return timingSafeEqual(known, secretDigest(presented));
}

/** The 401 a caller gets for a missing or wrong bearer credential, naming the header at fault. */
export function credentialRefused(
  error: 'missing_credential' | 'invalid_credential',
  message: string,
): HttpException {
  return new HttpException({ error, field: 'Authorization', message }, HttpStatus.UNAUTHORIZED);
}
