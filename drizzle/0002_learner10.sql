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