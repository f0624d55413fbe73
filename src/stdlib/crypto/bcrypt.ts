// bcrypt password hashing through `bcryptjs` (pure JavaScript, bundled).
//
// Hashes are `$2b$12$<22-char salt><31-char hash>`. bcrypt reads at most the first 72 bytes of a
// password (a property of the algorithm). Verification accepts the $2a$, $2b$ and $2y$ forms,
// refuses costs above 15 (each step doubles the work, so a crafted stored hash could stall the
// program) and answers false for anything malformed.
import { hashSync, compareSync } from "bcryptjs";

export const BCRYPT_COST = 12;
const MAX_VERIFY_COST = 15;
const BCRYPT_RE = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

export function isBcryptHash(stored: string): boolean {
  return /^\$2[abxy]\$/.test(stored);
}

/** `password` is the text given to bcrypt_hash (already checked against the length limit). */
export function bcryptHash(password: string): string {
  return hashSync(password, BCRYPT_COST);
}

export function bcryptVerify(password: string, stored: string): boolean {
  const m = BCRYPT_RE.exec(stored);
  if (!m) return false;
  const cost = Number(m[1]);
  if (cost < 4 || cost > MAX_VERIFY_COST) return false;
  try {
    return compareSync(password, stored);
  } catch {
    return false;
  }
}
