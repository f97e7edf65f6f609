CREATE TABLE `outbox_items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`dedupe_key` text NOT NULL,
	`body_id` integer NOT NULL,
	`chat_id` integer NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`priority` integer DEFAULT 0 NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`not_before` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`message_id` integer,
	`error` text,
	`sent_at` integer,
	FOREIGN KEY (`body_id`) REFERENCES `outbox_bodies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_items_dedupe_key_unique` ON `outbox_items` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `outbox_due` ON `outbox_items` (`priority`,`not_before`) WHERE state = 'pending';--> statement-breakpoint
CREATE INDEX `outbox_expiry` ON `outbox_items` (`expires_at`) WHERE state = 'pending';--> statement-breakpoint
CREATE INDEX `outbox_in_flight` ON `outbox_items` (`id`) WHERE state = 'sending';--> statement-breakpoint
CREATE INDEX `outbox_body_state` ON `outbox_items` (`body_id`,`state`);--> statement-breakpoint
CREATE TABLE `outbox_bodies` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text,
	`kind` text NOT NULL,
	`batch` text,
	`method` text NOT NULL,
	`payload` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_bodies_key_unique` ON `outbox_bodies` (`key`);--> statement-breakpoint
CREATE INDEX `outbox_bodies_batch` ON `outbox_bodies` (`batch`);--> statement-breakpoint
DROP TABLE `outbox`;--> statement-breakpoint
ALTER TABLE `broadcasts` ADD `queued_at` integer;