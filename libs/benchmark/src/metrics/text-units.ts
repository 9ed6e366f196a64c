/** UTF-8 byte count: the denominator of bits-per-byte and byte perplexity. */
export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Words as the harness counts them for word perplexity: len(re.split(r"\s+", text)). */
export function wordCount(s: string): number {
  return s.split(/\s+/).length;
}
