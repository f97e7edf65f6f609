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