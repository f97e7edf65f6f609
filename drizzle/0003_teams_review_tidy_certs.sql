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
CREATE TABLE `assistant_chats` (
	`chat_id` integer PRIMARY KEY NOT NULL,
	`locale` text,
	`removed_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `course_chats` (
	`course_id` text PRIMARY KEY NOT NULL,
	`chat_id` integer NOT NULL,
	`linked_by` integer NOT NULL,
	`linked_at` integer NOT NULL,
	`removed_at` integer
);
--> statement-breakpoint
CREATE INDEX `course_chats_chat` ON `course_chats` (`chat_id`);--> statement-breakpoint
CREATE TABLE `course_uploads` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`course_id` text NOT NULL,
	`kind` text NOT NULL,
	`file_name` text NOT NULL,
	`bundle` blob NOT NULL,
	`base_version` integer,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`decided_at` integer
);
--> statement-breakpoint
CREATE INDEX `course_uploads_user` ON `course_uploads` (`user_id`,`status`);--> statement-breakpoint
CREATE TABLE `course_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`course_id` text NOT NULL,
	`version` integer NOT NULL,
	`origin` text NOT NULL,
	`source_hash` text NOT NULL,
	`source_file` text NOT NULL,
	`bundle` blob NOT NULL,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`restored_from` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `course_versions_course_version` ON `course_versions` (`course_id`,`version`);--> statement-breakpoint
CREATE INDEX `course_versions_origin` ON `course_versions` (`course_id`,`origin`);--> statement-breakpoint
CREATE TABLE `certificate_names` (
	`learner_id` integer PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`draft` text,
	`name` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`learner_id`) REFERENCES `learners`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `certificates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code` text NOT NULL,
	`learner_id` integer NOT NULL,
	`course_id` text NOT NULL,
	`full_name` text,
	`score` real NOT NULL,
	`hours` real,
	`issued_at` integer NOT NULL,
	`sent_at` integer,
	`file_id` text,
	`file_lang` text,
	`send_failures` integer DEFAULT 0 NOT NULL,
	`revoked_at` integer,
	`revoked_by` integer,
	FOREIGN KEY (`learner_id`) REFERENCES `learners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`course_id`) REFERENCES `courses`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `certificates_code_unique` ON `certificates` (`code`);--> statement-breakpoint
CREATE UNIQUE INDEX `certificates_live_learner_course` ON `certificates` (`learner_id`,`course_id`) WHERE "certificates"."revoked_at" IS NULL;--> statement-breakpoint
CREATE INDEX `certificates_course` ON `certificates` (`course_id`);--> statement-breakpoint
CREATE INDEX `certificates_unsent` ON `certificates` (`sent_at`,`revoked_at`);--> statement-breakpoint
ALTER TABLE `quizzes` ADD `review_after` text DEFAULT 'close' NOT NULL;