ALTER TABLE `sessions` ADD `unlock_idle_ms` integer;--> statement-breakpoint
ALTER TABLE `sessions` ADD `unlock_ends_at` integer;