CREATE TABLE `staff_invitations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token` text NOT NULL,
	`course_id` text NOT NULL,
	`role` text NOT NULL,
	`created_by` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_by` integer,
	`used_at` integer,
	`declined_by` integer,
	`declined_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `staff_invitations_token_unique` ON `staff_invitations` (`token`);--> statement-breakpoint
CREATE INDEX `staff_invitations_course` ON `staff_invitations` (`course_id`);--> statement-breakpoint
CREATE TABLE `staff_menus` (
	`chat_id` integer PRIMARY KEY NOT NULL,
	`menu` text NOT NULL,
	`set_at` integer NOT NULL
);
