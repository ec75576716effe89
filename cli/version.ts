/** espy's version; scripts/build-exe and tests check it against package.json. */
export const ESPY_VERSION = '0.1.0';
