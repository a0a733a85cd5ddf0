import { credentialRefused, readBearer, secretDigest, secretMatches } from './bearer';

/**
 * The staff / operations credential (docs/design.md §11): what reads a customer's timeline,
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
      throw credentialRefused(
        'missing_credential',
        'send the staff credential as "Authorization: Bearer <token>"',
      );
    }
    if (!secretMatches(this.digest, token)) {
      throw credentialRefused('invalid_credential', 'the bearer token is not the staff credential');
    }
  }
}
