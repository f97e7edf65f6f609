DROP INDEX `quiz_attempts_quiz`;--> statement-breakpoint
CREATE INDEX `quiz_attempts_quiz_learner` ON `quiz_attempts` (`quiz_id`,`learner_id`,`attempt_no`,`finished_at`,`score`);