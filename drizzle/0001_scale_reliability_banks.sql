CREATE TABLE `open_dialogs` (
	`learner_id` integer PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`ref_id` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
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
CREATE TABLE `analysis_reports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`course_id` text NOT NULL,
	`author_id` integer NOT NULL,
	`phase` text NOT NULL,
	`state` text NOT NULL,
	`fingerprint` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`sent_at` integer,
	FOREIGN KEY (`course_id`) REFERENCES `courses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `analysis_reports_course_author_phase` ON `analysis_reports` (`course_id`,`author_id`,`phase`);--> statement-breakpoint
CREATE TABLE `question_images` (
	`sha256` text PRIMARY KEY NOT NULL,
	`mime` text NOT NULL,
	`name` text NOT NULL,
	`bytes` blob NOT NULL,
	`file_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
DROP TABLE `conversation_state`;--> statement-breakpoint
-- Carry messages still waiting in the old outbox over (each becomes its own body): an upgrade loses nothing.
INSERT INTO `outbox_bodies` (`id`, `key`, `kind`, `batch`, `method`, `payload`, `created_at`) SELECT `id`, NULL, `kind`, `batch`, `method`, `payload`, `created_at` FROM `outbox`;--> statement-breakpoint
INSERT INTO `outbox_items` (`id`, `dedupe_key`, `body_id`, `chat_id`, `state`, `priority`, `attempts`, `not_before`, `expires_at`, `message_id`, `error`, `sent_at`) SELECT `id`, `dedupe_key`, `id`, `chat_id`, `state`, 0, `attempts`, `not_before`, coalesce(`expires_at`, `not_before` + 259200000), `message_id`, `error`, `sent_at` FROM `outbox`;--> statement-breakpoint
DROP TABLE `outbox`;--> statement-breakpoint
ALTER TABLE `broadcasts` ADD `queued_at` integer;--> statement-breakpoint
ALTER TABLE `quiz_answers` ADD `message_id` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `quiz_answers_attempt_message` ON `quiz_answers` (`attempt_id`,`message_id`);--> statement-breakpoint
ALTER TABLE `quiz_attempts` ADD `shown_item` integer;--> statement-breakpoint
ALTER TABLE `quiz_attempts` ADD `matching_partial` text;--> statement-breakpoint
ALTER TABLE `quizzes` ADD `skipped_questions` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `questionnaire_answers` ADD `message_id` integer;--> statement-breakpoint
ALTER TABLE `questionnaire_responses` ADD `shown_position` integer;--> statement-breakpoint
ALTER TABLE `questions` ADD `post_started_at` integer;--> statement-breakpoint
ALTER TABLE `questions` ADD `learner_notified_at` integer;--> statement-breakpoint
-- Broadcasts already sending or done were queued under the old outbox: do not queue them again.
UPDATE `broadcasts` SET `queued_at` = `confirmed_at` WHERE `status` IN ('sending', 'done');
