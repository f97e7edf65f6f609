CREATE TABLE `update_inbox` (
	`update_id` integer PRIMARY KEY NOT NULL,
	`payload` text NOT NULL,
	`received_at` integer NOT NULL,
	`replays` integer DEFAULT 0 NOT NULL
);
