// The sign-in page: signing the Sign-In with Ethereum message (filled in by its author).
export function setupSignIn(root) {}
