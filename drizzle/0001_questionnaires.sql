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
