-- api_keys is no foreign key's parent, so no PRAGMA foreign_keys is needed (D1 refuses it anyway).
CREATE TABLE `__new_api_keys` (
	`user_id` integer PRIMARY KEY NOT NULL,
	`lookup_hash` text NOT NULL,
	`sealed` text NOT NULL,
	`format_version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer
);
--> statement-breakpoint
INSERT INTO `__new_api_keys`("user_id", "lookup_hash", "sealed", "format_version", "created_at", "last_used_at") SELECT "user_id", "lookup_hash", "sealed", "format_version", "created_at", "last_used_at" FROM `api_keys`;--> statement-breakpoint
DROP TABLE `api_keys`;--> statement-breakpoint
ALTER TABLE `__new_api_keys` RENAME TO `api_keys`;--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_lookup_hash_unique` ON `api_keys` (`lookup_hash`);