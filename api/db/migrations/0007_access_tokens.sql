CREATE TABLE `access_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`scope` text NOT NULL,
	`description` text,
	`audience` text,
	`refreshable` integer NOT NULL,
	`refresh_hash` text,
	`reference_hash` text,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`last_used_at` integer,
	`revoked_at` integer,
	`revoked_reason` text
);
--> statement-breakpoint
CREATE INDEX `access_tokens_user_id` ON `access_tokens` (`user_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `access_tokens_refresh_hash_unique` ON `access_tokens` (`refresh_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `access_tokens_reference_hash_unique` ON `access_tokens` (`reference_hash`);