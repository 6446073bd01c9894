/** Makes s3rver's FilesystemStore.putObject durable (see durable-put-object.mjs). */
export declare function makePutObjectDurable<T extends object>(store: T): T;
