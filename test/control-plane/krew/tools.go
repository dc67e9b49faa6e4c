//go:build tools

// Package tools pins krew (the kubectl plugin manager) for the distribution tests, which install the doctor's
// krew manifest with it. A module of its own: krew builds against Kubernetes libraries far older than the control
// plane's.
package tools

import _ "sigs.k8s.io/krew/cmd/krew"
