/** R-CON-5: the Cognito groups claim. */
export const GROUPS_CLAIM = 'cognito:groups';

/**
 * The groups of a claim as the HTTP API's JWT authorizer hands it over: an array claim becomes a
 * bracketed, space-separated string (`[owners staff]`); a JSON array, a comma list or a single
 * name are read too. Dependency-free: the console reads the same claim to hide what a role
 * cannot do (the API enforces it).
 */
export function groupsOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((g): g is string => typeof g === 'string');
  if (typeof claim !== 'string') return [];
  const text = claim.trim();
  if (text.startsWith('[') && text.endsWith(']')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.filter((g): g is string => typeof g === 'string');
    } catch {
      // Not JSON: API Gateway's `[a b]`.
    }
    return text.slice(1, -1).split(/[\s,]+/).filter(Boolean);
  }
  return text.split(/[\s,]+/).filter(Boolean);
}
