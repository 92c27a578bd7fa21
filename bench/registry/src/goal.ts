/** The goal for GetVersion with 64 concurrent clients. */
export const P99_GOAL_MS = 5;
