CREATE TABLE `course_staff` (
	`course_id` text NOT NULL,
	`user_id` integer NOT NULL,
	`role` text NOT NULL,
	`granted_by` integer,
	`granted_at` integer NOT NULL,
	PRIMARY KEY(`course_id`, `user_id`, `role`)
);
--> statement-breakpoint
CREATE INDEX `course_staff_user` ON `course_staff` (`user_id`,`role`);