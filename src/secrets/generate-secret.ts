const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A password of letters and digits only: `$`, `#`, quotes, `@`, `:` or `/` would break compose
 * interpolation, .env parsing or connection URLs. Rejection sampling keeps every character equally likely.
 */
export function generatePassword(randomBytes: (size: number) => Buffer, length = 32): string {
  const limit = 256 - (256 % ALPHABET.length);
  let password = '';
  while (password.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit && password.length < length) password += ALPHABET[byte % ALPHABET.length];
    }
  }
  return password;
}
