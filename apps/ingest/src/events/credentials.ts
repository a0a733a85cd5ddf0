import type { Department } from '@onevoice/contracts';
import { credentialRefused, readBearer, secretDigest, secretMatches } from '@onevoice/runtime';

/** Maps a bearer token to the department it belongs to. */
export class DepartmentCredentials {
  private readonly byDigest: [Buffer, Department][];

  constructor(tokens: Record<string, Department>) {
    this.byDigest = Object.entries(tokens).map(([token, dept]) => [secretDigest(token), dept]);
  }

  /** The department of an `Authorization: Bearer …` header; 401 when there is none or it is wrong. */
  authenticate(authorization: string | undefined): Department {
    const token = readBearer(authorization);
    if (token === undefined) {
      throw credentialRefused(
        'missing_credential',
        'send your department credential as "Authorization: Bearer <token>"',
      );
    }
    const found = this.byDigest.find(([known]) => secretMatches(known, token));
    if (!found) {
      throw credentialRefused(
        'invalid_credential',
        'the bearer token is not a department credential',
      );
    }
    return found[1];
  }
}
