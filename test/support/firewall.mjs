// Preloaded into a CLI process a test starts (`node --import tsx --import ./test/support/firewall.mjs …`): the same
// loopback-only guard as the jest setup (test/setup/no-external-network.ts), standing in for a firewall that refuses
// every address but loopback, while the doctor's own network policy says `all` — so probes try and meet the firewall,
// as a laptop off the cluster's network would. Nothing leaves the machine: connections and DNS lookups of anything
// but loopback fail before they start.
await import('../setup/no-external-network.ts');
process.env.MED_NETWORK = 'all';
