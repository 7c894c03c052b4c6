// class-transformer keeps its @Type metadata in a storage it does not export from its main entry.
declare module 'class-transformer/cjs/storage' {
  export const defaultMetadataStorage: import('class-transformer/types/MetadataStorage').MetadataStorage;
}
