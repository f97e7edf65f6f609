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
CREATE INDEX `certificates_unsent` ON `certificates` (`sent_at`,`revoked_at`);