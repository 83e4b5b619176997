/**
 * R-CON-3: finding a member by the start of their name, of any word of it, or of their e-mail,
 * whatever the case and accents. Each member has a few normalised search keys; a search is one
 * Query on the keys that start with the normalised text.
 */

/** Lower case, without accents, spaces collapsed: "  Léa  TREMBLAY " → "lea tremblay". */
export function normalise(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase('fr').replace(/\s+/g, ' ').trim();
}

/** At most this many words of a name get a key of their own (besides the whole name). */
const MAX_WORDS = 6;

/**
 * The keys a member is found by: the whole name, each word of it (so "trem" finds "Léa
 * Tremblay", "fran" finds "Jean-François Roy") and the e-mail address.
 */
export function searchKeys(member: { name: string; email: string }): string[] {
  const name = normalise(member.name);
  const words = name
    .split(/[\s\-'’.]+/)
    .filter((w) => w.length >= 2)
    .slice(0, MAX_WORDS);
  return [...new Set([name, ...words, normalise(member.email)])].filter((k) => k.length > 0);
}

/** A search text as a key prefix; null when nothing is left of it. */
export function searchPrefix(query: string): string | null {
  const prefix = normalise(query);
  return prefix.length === 0 ? null : prefix;
}
