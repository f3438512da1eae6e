CREATE TABLE `api_keys` (
	`user_id` integer PRIMARY KEY NOT NULL,
	`lookup_hash` text NOT NULL,
	`sealed` text NOT NULL,
	`format_version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_lookup_hash_unique` ON `api_keys` (`lookup_hash`);--> statement-breakpoint
CREATE TABLE `audit_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer,
	`type` text NOT NULL,
	`at` integer NOT NULL,
	`client_address` text,
	`user_agent` text,
	`detail` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `audit_events_user_at` ON `audit_events` (`user_id`,`at`);--> statement-breakpoint
CREATE TABLE `login_failures` (
	`name_key` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`last_failure_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`unlocked_until` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user_id` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`email` text,
	`realm` text DEFAULT 'internal' NOT NULL,
	`admin` integer DEFAULT false NOT NULL,
	`profile_updatable` integer DEFAULT true NOT NULL,
	`disable_ui_access` integer DEFAULT false NOT NULL,
	`internal_password_disabled` integer DEFAULT false NOT NULL,
	`keys_without_unlock` integer DEFAULT false NOT NULL,
	`password_hash` text,
	`password_stamp` text NOT NULL,
	`password_expired` integer DEFAULT false NOT NULL,
	`groups` text DEFAULT '[]' NOT NULL,
	`last_logged_in` integer,
	`locked_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_name_key_unique` ON `users` (`name_key`);