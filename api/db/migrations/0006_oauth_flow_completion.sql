ALTER TABLE `oauth_flows` ADD `user_id` integer;--> statement-breakpoint
ALTER TABLE `oauth_flows` ADD `subject` text;--> statement-breakpoint
ALTER TABLE `oauth_flows` ADD `email` text;--> statement-breakpoint
ALTER TABLE `oauth_flows` ADD `completion_hash` text;--> statement-breakpoint
ALTER TABLE `oauth_flows` ADD `page_confirmed_at` integer;--> statement-breakpoint
ALTER TABLE `oauth_flows` ADD `starter_approved_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `oauth_flows_completion_hash_unique` ON `oauth_flows` (`completion_hash`);--> statement-breakpoint
CREATE INDEX `oauth_flows_claim_hash` ON `oauth_flows` (`claim_hash`);--> statement-breakpoint
ALTER TABLE `oauth_flows` DROP COLUMN `sealed_session`;