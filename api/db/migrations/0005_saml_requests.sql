CREATE TABLE `saml_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`issued_at` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `saml_requests_expires_at` ON `saml_requests` (`expires_at`);