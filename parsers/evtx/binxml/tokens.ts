/**
 * Binary XML tokens, [MS-EVEN6] §2.2.12 and libyal EVTX §4 "Binary XML". The 0x40 bit on
 * 0x01/0x05/0x06/0x07/0x08/0x09 means "more data follows" (attributes, more values).
 */
export const TOKEN = {
  endOfStream: 0x00,
  openStartElement: 0x01,
  closeStartElement: 0x02,
  closeEmptyElement: 0x03,
  endElement: 0x04,
  value: 0x05,
  attribute: 0x06,
  cdataSection: 0x07,
  charRef: 0x08,
  entityRef: 0x09,
  piTarget: 0x0a,
  piData: 0x0b,
  templateInstance: 0x0c,
  normalSubstitution: 0x0d,
  optionalSubstitution: 0x0e,
  fragmentHeader: 0x0f,
} as const;
export type Token = (typeof TOKEN)[keyof typeof TOKEN];

/** The "more follows" / "has attributes" flag bit. */
export const TOKEN_MORE_FLAG = 0x40;

/** Value types, [MS-EVEN6] §2.2.12 / libyal "Value types". Arrays set bit 0x80. */
export const VALUE_TYPE = {
  null: 0x00,
  string: 0x01,
  ansiString: 0x02,
  int8: 0x03,
  uint8: 0x04,
  int16: 0x05,
  uint16: 0x06,
  int32: 0x07,
  uint32: 0x08,
  int64: 0x09,
  uint64: 0x0a,
  real32: 0x0b,
  real64: 0x0c,
  bool: 0x0d,
  binary: 0x0e,
  guid: 0x0f,
  sizeT: 0x10,
  filetime: 0x11,
  systemtime: 0x12,
  sid: 0x13,
  hexInt32: 0x14,
  hexInt64: 0x15,
  evtHandle: 0x20,
  binXml: 0x21,
  evtXml: 0x23,
} as const;
export type ValueType = (typeof VALUE_TYPE)[keyof typeof VALUE_TYPE];
export const VALUE_ARRAY_FLAG = 0x80;

/** Pseudo value types for text-like nodes that are not substitution values. */
export const NODE_TYPE = {
  charRef: 0x100,
  entityRef: 0x101,
  cdata: 0x102,
  pi: 0x103,
} as const;

/** Fixed element sizes of the value types that have one (arrays divide by it). */
export const FIXED_VALUE_SIZE: Readonly<Record<number, number>> = {
  [VALUE_TYPE.int8]: 1,
  [VALUE_TYPE.uint8]: 1,
  [VALUE_TYPE.int16]: 2,
  [VALUE_TYPE.uint16]: 2,
  [VALUE_TYPE.int32]: 4,
  [VALUE_TYPE.uint32]: 4,
  [VALUE_TYPE.int64]: 8,
  [VALUE_TYPE.uint64]: 8,
  [VALUE_TYPE.real32]: 4,
  [VALUE_TYPE.real64]: 8,
  [VALUE_TYPE.bool]: 4,
  [VALUE_TYPE.guid]: 16,
  [VALUE_TYPE.filetime]: 8,
  [VALUE_TYPE.systemtime]: 16,
  [VALUE_TYPE.hexInt32]: 4,
  [VALUE_TYPE.hexInt64]: 8,
};
