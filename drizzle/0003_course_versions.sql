CREATE TABLE `course_uploads` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`course_id` text NOT NULL,
	`kind` text NOT NULL,
	`file_name` text NOT NULL,
	`bundle` blob NOT NULL,
	`base_version` integer,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`decided_at` integer
);
--> statement-breakpoint
CREATE INDEX `course_uploads_user` ON `course_uploads` (`user_id`,`status`);--> statement-breakpoint
CREATE TABLE `course_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`course_id` text NOT NULL,
	`version` integer NOT NULL,
	`origin` text NOT NULL,
	`source_hash` text NOT NULL,
	`source_file` text NOT NULL,
	`bundle` blob NOT NULL,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`restored_from` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `course_versions_course_version` ON `course_versions` (`course_id`,`version`);--> statement-breakpoint
CREATE INDEX `course_versions_origin` ON `course_versions` (`course_id`,`origin`);