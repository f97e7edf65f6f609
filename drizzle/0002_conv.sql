CREATE TABLE `open_dialogs` (
	`learner_id` integer PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`ref_id` integer NOT NULL,
	`updated_at` integer NOT NULL
);
