/** The words of the dunning pages (R-CON-2); `fr` has exactly the keys of `en`. */
export const en = {};

export const fr: typeof en = {};
