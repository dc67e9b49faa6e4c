export const UNPRODUCED: Record<string, string> = {};
