ALTER TABLE `users` ADD `password_changed_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `password_notice_days` integer;--> statement-breakpoint
-- No change time was kept before: the last change of any kind is the latest the password can have been set,
-- so no password is taken for older than it is (nobody's expires early by this back-fill).
UPDATE `users` SET `password_changed_at` = `updated_at` WHERE `password_hash` IS NOT NULL;
