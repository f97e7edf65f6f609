CREATE TABLE `question_images` (
	`sha256` text PRIMARY KEY NOT NULL,
	`mime` text NOT NULL,
	`name` text NOT NULL,
	`bytes` blob NOT NULL,
	`file_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `quizzes` ADD `skipped_questions` integer DEFAULT 0 NOT NULL;