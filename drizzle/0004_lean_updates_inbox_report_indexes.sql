CREATE TABLE `update_inbox` (
	`update_id` integer PRIMARY KEY NOT NULL,
	`payload` text NOT NULL,
	`received_at` integer NOT NULL,
	`replays` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
DROP INDEX `processed_updates_handled_at`;--> statement-breakpoint
DROP INDEX `quiz_attempts_quiz`;--> statement-breakpoint
CREATE INDEX `quiz_attempts_quiz_learner` ON `quiz_attempts` (`quiz_id`,`learner_id`,`attempt_no`,`finished_at`,`score`);