"""The marketplace off-chain: contract codes, the book, the matcher, a random market, crowdsales."""
