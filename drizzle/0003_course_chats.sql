CREATE TABLE `assistant_chats` (
	`chat_id` integer PRIMARY KEY NOT NULL,
	`locale` text,
	`removed_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `course_chats` (
	`course_id` text PRIMARY KEY NOT NULL,
	`chat_id` integer NOT NULL,
	`linked_by` integer NOT NULL,
	`linked_at` integer NOT NULL,
	`removed_at` integer
);
--> statement-breakpoint
CREATE INDEX `course_chats_chat` ON `course_chats` (`chat_id`);