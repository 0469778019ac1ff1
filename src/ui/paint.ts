const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

/** ANSI styling; the context strips it again when colour is off, so callers always paint. */
export const paint = {
  green: wrap(32, 39),
  red: wrap(31, 39),
  yellow: wrap(33, 39),
  cyan: wrap(36, 39),
  bold: wrap(1, 22),
  dim: wrap(2, 22),
  // eslint-disable-next-line no-control-regex
  strip: (text: string) => text.replace(/\u001b\[[0-9;]*m/g, ''),
};
