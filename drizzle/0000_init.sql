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
	`expires_at` integer,
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
CREATE INDEX `processed_updates_handled_at` ON `processed_updates` (`handled_at`);--> statement-breakpoint
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
CREATE TABLE `quiz_answers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`attempt_id` integer NOT NULL,
	`item` integer NOT NULL,
	`question_position` integer NOT NULL,
	`answer` text NOT NULL,
	`correct` integer NOT NULL,
	`score` real NOT NULL,
	`answered_at` integer NOT NULL,
	FOREIGN KEY (`attempt_id`) REFERENCES `quiz_attempts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `quiz_answers_attempt_item` ON `quiz_answers` (`attempt_id`,`item`);--> statement-breakpoint
CREATE TABLE `quiz_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`learner_id` integer NOT NULL,
	`quiz_id` integer NOT NULL,
	`attempt_no` integer NOT NULL,
	`variant` text NOT NULL,
	`started_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`finished_at` integer,
	`end_reason` text,
	`score` real,
	`passed` integer,
	FOREIGN KEY (`learner_id`) REFERENCES `learners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`quiz_id`) REFERENCES `quizzes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `quiz_attempts_learner_quiz_no` ON `quiz_attempts` (`learner_id`,`quiz_id`,`attempt_no`);--> statement-breakpoint
CREATE INDEX `quiz_attempts_quiz` ON `quiz_attempts` (`quiz_id`);--> statement-breakpoint
CREATE TABLE `quiz_questions` (
	`quiz_id` integer NOT NULL,
	`position` integer NOT NULL,
	`kind` text NOT NULL,
	`content` text NOT NULL,
	PRIMARY KEY(`quiz_id`, `position`),
	FOREIGN KEY (`quiz_id`) REFERENCES `quizzes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `quizzes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`course_id` text NOT NULL,
	`module_position` integer NOT NULL,
	`pass_score` real NOT NULL,
	`attempts_allowed` integer NOT NULL,
	`time_limit_minutes` integer,
	`pick` integer,
	`feedback` text NOT NULL,
	`score_policy` text NOT NULL,
	`question_count` integer NOT NULL,
	`removed_at` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`course_id`) REFERENCES `courses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `quizzes_course_module` ON `quizzes` (`course_id`,`module_position`);--> statement-breakpoint
CREATE TABLE `questionnaire_answers` (
	`response_id` integer NOT NULL,
	`question_id` text NOT NULL,
	`value` text,
	`answered_at` integer NOT NULL,
	PRIMARY KEY(`response_id`, `question_id`),
	FOREIGN KEY (`response_id`) REFERENCES `questionnaire_responses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `questionnaire_responses` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`course_id` text NOT NULL,
	`kind` text NOT NULL,
	`learner_id` integer NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	`started_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`submitted_at` integer,
	FOREIGN KEY (`course_id`) REFERENCES `courses`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`learner_id`) REFERENCES `learners`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `questionnaire_responses_learner` ON `questionnaire_responses` (`learner_id`,`course_id`,`kind`);--> statement-breakpoint
CREATE INDEX `questionnaire_responses_course` ON `questionnaire_responses` (`course_id`,`kind`);--> statement-breakpoint
CREATE TABLE `questionnaires` (
	`course_id` text NOT NULL,
	`kind` text NOT NULL,
	`questions` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`course_id`, `kind`),
	FOREIGN KEY (`course_id`) REFERENCES `courses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `ask_drafts` (
	`learner_id` integer PRIMARY KEY NOT NULL,
	`step` text NOT NULL,
	`course_id` text,
	`module_position` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`learner_id`) REFERENCES `learners`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `question_messages` (
	`chat_id` integer NOT NULL,
	`message_id` integer NOT NULL,
	`question_id` integer NOT NULL,
	`side` text NOT NULL,
	`kind` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`chat_id`, `message_id`),
	FOREIGN KEY (`question_id`) REFERENCES `questions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `question_messages_question` ON `question_messages` (`question_id`);--> statement-breakpoint
CREATE TABLE `questions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`learner_id` integer NOT NULL,
	`course_id` text NOT NULL,
	`module_position` integer,
	`text` text NOT NULL,
	`media_kind` text,
	`media_file_id` text,
	`media_group_id` text,
	`learner_message_id` integer NOT NULL,
	`state` text DEFAULT 'open' NOT NULL,
	`for_instructor` integer DEFAULT false NOT NULL,
	`assistant_chat_id` integer,
	`assistant_message_id` integer,
	`created_at` integer NOT NULL,
	`last_learner_message_at` integer NOT NULL,
	`answered_at` integer,
	`answered_by` integer,
	`answered_by_name` text,
	`closed_without_reply` integer DEFAULT false NOT NULL,
	`reply_count` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`learner_id`) REFERENCES `learners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`course_id`) REFERENCES `courses`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `questions_learner_state` ON `questions` (`learner_id`,`state`);--> statement-breakpoint
CREATE INDEX `questions_state_created` ON `questions` (`state`,`created_at`);