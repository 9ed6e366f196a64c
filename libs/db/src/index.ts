export { databaseConfigFromEnv, PGLITE_MEMORY, redact, type DatabaseConfig } from './config.js';
export { DatabaseConfigError, Float32DecodeError, MigrationError, UnsafeInt8Error } from './errors.js';
export { decodeFloat32, encodeFloat32 } from './float32.js';
export { parseInt8 } from './int8.js';
export { migrateSchema, schemaLockKey, type AnyKysely, type SchemaMigrations } from './migrate.js';
export { openDatabase, pingDatabase, type Database, type OpenDatabaseOptions } from './open-database.js';
export { PGliteDialect } from './pglite/pglite-dialect.js';
export { paged, type PageWindow } from './paged.js';
export { enqueueEvent, outboxMigration, startOutboxRelay, type OutboxEvent, type OutboxRelay, type OutboxRelayOptions } from './outbox.js';
