/**
 * The EVTX checksum (CRC-32, IEEE 802.3 reflected): the parser's own implementation. Sharing it
 * is safe: every file the writer produces is also checked by evtxexport and python-evtx,
 * which verify the checksums independently (test/samples/evtx-readers.test.ts).
 */
export { crc32 } from '../../../parsers/evtx/crc32.js';
