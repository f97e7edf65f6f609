CREATE TABLE `live_keyboards` (
	`learner_id` integer PRIMARY KEY NOT NULL,
	`message_id` integer NOT NULL,
	`owner` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `staff_invitations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token` text NOT NULL,
	`course_id` text NOT NULL,
	`role` text NOT NULL,
	`created_by` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_by` integer,
	`used_at` integer,
	`declined_by` integer,
	`declined_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `staff_invitations_token_unique` ON `staff_invitations` (`token`);--> statement-breakpoint
CREATE INDEX `staff_invitations_course` ON `staff_invitations` (`course_id`);--> statement-breakpoint
CREATE TABLE `staff_menus` (
	`chat_id` integer PRIMARY KEY NOT NULL,
	`menu` text NOT NULL,
	`set_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `question_thread` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`question_id` integer NOT NULL,
	`author` text NOT NULL,
	`author_name` text,
	`text` text NOT NULL,
	`media_kind` text,
	`source_chat_id` integer NOT NULL,
	`source_message_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`question_id`) REFERENCES `questions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `question_thread_question` ON `question_thread` (`question_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `question_thread_source` ON `question_thread` (`source_chat_id`,`source_message_id`);--> statement-breakpoint
ALTER TABLE `quizzes` ADD `review_after` text DEFAULT 'close' NOT NULL;