/** archiver-zip-encrypted 2 ships no types: its export is the encrypting Zip plugin constructor. */
declare module 'archiver-zip-encrypted' {
  const ZipEncrypted: new (options: Record<string, unknown>) => unknown;
  export default ZipEncrypted;
}
