/** The words of the memberships pages (R-CON-2); `fr` has exactly the keys of `en`. */
export const en = {};

export const fr: typeof en = {};
