CREATE TABLE `analysis_reports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`course_id` text NOT NULL,
	`author_id` integer NOT NULL,
	`phase` text NOT NULL,
	`state` text NOT NULL,
	`fingerprint` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`sent_at` integer,
	FOREIGN KEY (`course_id`) REFERENCES `courses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `analysis_reports_course_author_phase` ON `analysis_reports` (`course_id`,`author_id`,`phase`);