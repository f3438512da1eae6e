CREATE TABLE `credential_clients` (
	`credential` text NOT NULL,
	`client_address` text NOT NULL,
	`user_agent` text NOT NULL,
	`last_used_at` integer NOT NULL,
	PRIMARY KEY(`credential`, `client_address`, `user_agent`)
);
--> statement-breakpoint
CREATE INDEX `credential_clients_last_used_at` ON `credential_clients` (`last_used_at`);--> statement-breakpoint
CREATE TABLE `credential_usage` (
	`credential` text NOT NULL,
	`day` integer NOT NULL,
	`uses` integer NOT NULL,
	PRIMARY KEY(`credential`, `day`)
);
--> statement-breakpoint
CREATE INDEX `credential_usage_day` ON `credential_usage` (`day`);--> statement-breakpoint
CREATE TABLE `known_browsers` (
	`user_id` integer NOT NULL,
	`browser` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `browser`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `access_tokens` ADD `notice_days` integer;--> statement-breakpoint
ALTER TABLE `sessions` ADD `client_address` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `user_agent` text;--> statement-breakpoint
ALTER TABLE `users` ADD `notify_informational` integer DEFAULT true NOT NULL;--> statement-breakpoint
-- Reference, refresh and session tokens made from here on carry a checksum; older ones are still looked up while any is live.
INSERT OR IGNORE INTO `settings` (`key`, `value`) VALUES ('tokenChecksumsSince', CAST(CAST(strftime('%s', 'now') AS INTEGER) * 1000 AS TEXT));
