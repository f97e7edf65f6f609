CREATE TABLE `live_keyboards` (
	`learner_id` integer PRIMARY KEY NOT NULL,
	`message_id` integer NOT NULL,
	`owner` text NOT NULL,
	`updated_at` integer NOT NULL
);
