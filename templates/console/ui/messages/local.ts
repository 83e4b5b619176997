/** The words of the local pages (R-CON-2); `fr` has exactly the keys of `en`. */
export const en = {};

export const fr: typeof en = {};
