ALTER TABLE `access_tokens` ADD `family_id` text;--> statement-breakpoint
ALTER TABLE `access_tokens` ADD `parent_family_id` text;--> statement-breakpoint
CREATE INDEX `access_tokens_family_id` ON `access_tokens` (`family_id`);--> statement-breakpoint
CREATE INDEX `access_tokens_parent_family_id` ON `access_tokens` (`parent_family_id`);