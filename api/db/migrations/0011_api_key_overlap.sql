ALTER TABLE `api_keys` ADD `previous_lookup_hash` text;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `previous_masked` text;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `previous_ends_at` integer;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `previous_last_used_at` integer;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `previous_format_version` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_previous_lookup_hash_unique` ON `api_keys` (`previous_lookup_hash`);