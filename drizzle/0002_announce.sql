CREATE TABLE `broadcasts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`author_id` integer NOT NULL,
	`author_lang` text NOT NULL,
	`course_id` text,
	`status` text NOT NULL,
	`versions` text DEFAULT '{}' NOT NULL,
	`step` integer DEFAULT 0 NOT NULL,
	`progress_chat_id` integer,
	`progress_message_id` integer,
	`progress_shown` text,
	`total` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`confirmed_at` integer,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `broadcasts_author_status` ON `broadcasts` (`author_id`,`status`);--> statement-breakpoint
CREATE INDEX `broadcasts_status` ON `broadcasts` (`status`);--> statement-breakpoint
ALTER TABLE `outbox` ADD `expires_at` integer;