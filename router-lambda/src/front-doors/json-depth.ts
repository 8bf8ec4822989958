/**
 * The deepest nesting a client body may have. Real Messages and Chat Completions bodies stay under
 * about 10 (tool schemas nest a few levels more); validation, token estimation and every adapter's
 * re-serialisation recurse per level, so a body 20,000 levels deep must be refused before any of them.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * The deepest array/object nesting in `text`, scanning at most until it passes `limit` (then
 * `limit + 1`). Iterative and linear: it never recurses, so it cannot overflow the stack itself.
 * Brackets inside strings do not count; the text need not be valid JSON (JSON.parse judges that).
 */
export function jsonDepthExceeding(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return deepest;
}
