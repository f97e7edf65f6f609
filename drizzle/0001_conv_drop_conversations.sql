DROP TABLE `conversation_state`;--> statement-breakpoint
ALTER TABLE `quiz_answers` ADD `message_id` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `quiz_answers_attempt_message` ON `quiz_answers` (`attempt_id`,`message_id`);--> statement-breakpoint
ALTER TABLE `quiz_attempts` ADD `shown_item` integer;--> statement-breakpoint
ALTER TABLE `questionnaire_answers` ADD `message_id` integer;--> statement-breakpoint
ALTER TABLE `questionnaire_responses` ADD `shown_position` integer;--> statement-breakpoint
ALTER TABLE `questions` ADD `post_started_at` integer;--> statement-breakpoint
ALTER TABLE `questions` ADD `learner_notified_at` integer;