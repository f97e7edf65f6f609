export const SECOND_FOR_TESTS = 1000;
