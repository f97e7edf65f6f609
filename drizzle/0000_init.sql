CREATE TABLE `learners` (
	`id` integer PRIMARY KEY NOT NULL,
	`first_name` text DEFAULT '' NOT NULL,
	`last_name` text,
	`username` text,
	`language` text NOT NULL,
	`language_chosen` integer DEFAULT false NOT NULL,
	`blocked_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `course_watchers` (
	`learner_id` integer NOT NULL,
	`course_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`notified_at` integer,
	PRIMARY KEY(`learner_id`, `course_id`),
	FOREIGN KEY (`learner_id`) REFERENCES `learners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`course_id`) REFERENCES `courses`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `courses` (
	`id` text PRIMARY KEY NOT NULL,
	`languages` text NOT NULL,
	`title` text NOT NULL,
	`description` text NOT NULL,
	`timezone` text NOT NULL,
	`start_at` integer NOT NULL,
	`date_anchor` integer,
	`enroll_opens_at` integer NOT NULL,
	`enroll_closes_at` integer NOT NULL,
	`end_at` integer NOT NULL,
	`hours_per_week` integer,
	`source_file` text NOT NULL,
	`source_hash` text NOT NULL,
	`content` text NOT NULL,
	`loaded_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `enrollments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`learner_id` integer NOT NULL,
	`course_id` text NOT NULL,
	`status` text NOT NULL,
	`enrolled_at` integer NOT NULL,
	`unenrolled_at` integer,
	FOREIGN KEY (`learner_id`) REFERENCES `learners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`course_id`) REFERENCES `courses`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `enrollments_learner_course` ON `enrollments` (`learner_id`,`course_id`);--> statement-breakpoint
CREATE INDEX `enrollments_course_status` ON `enrollments` (`course_id`,`status`);--> statement-breakpoint
CREATE TABLE `modules` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`course_id` text NOT NULL,
	`position` integer NOT NULL,
	`title` text NOT NULL,
	`announcement` text NOT NULL,
	`opens_at` integer NOT NULL,
	`closes_at` integer NOT NULL,
	FOREIGN KEY (`course_id`) REFERENCES `courses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `modules_course_position` ON `modules` (`course_id`,`position`);--> statement-breakpoint
CREATE TABLE `conversation_state` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`dedupe_key` text NOT NULL,
	`kind` text NOT NULL,
	`batch` text,
	`chat_id` integer NOT NULL,
	`method` text NOT NULL,
	`payload` text NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`not_before` integer NOT NULL,
	`message_id` integer,
	`error` text,
	`created_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_dedupe_key_unique` ON `outbox` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `outbox_state_not_before` ON `outbox` (`state`,`not_before`);--> statement-breakpoint
CREATE INDEX `outbox_batch` ON `outbox` (`batch`);--> statement-breakpoint
CREATE TABLE `processed_updates` (
	`update_id` integer PRIMARY KEY NOT NULL,
	`handled_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `processed_updates_handled_at` ON `processed_updates` (`handled_at`);