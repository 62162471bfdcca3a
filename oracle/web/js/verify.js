// The certificate page's Verify panel (filled in by its author).
export function setupVerify(root) {}
